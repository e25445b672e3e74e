import type { ValueTransformer } from 'typeorm';

/** Stream sequences are bigint in PostgreSQL (pg returns them as strings) and safe integers in JS. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
