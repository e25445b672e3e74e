// Progress lines go to stderr, so that stdout carries only the report (or, with --json, only the
// JSON lines) and can be redirected to a file.

export type Progress = (line: string) => void;

export const progress: Progress = (line) => {
  process.stderr.write(`${line}\n`);
};
