// Types of nats-users.js (plain JavaScript run on the built contracts), for its test.

export const USERS_CONF: string;
export const HELM_VALUES: string;
export const HELM_SECRET: string;
export function renderUsersConf(): string;
export function renderHelmUsers(): string;
export function renderHelmPasswords(): string;
export function renderHelmValues(current: string): string;
export function replaceBlock(text: string, name: string, block: string): string;
/** [path, as it should be, as committed] for every generated file. */
export function expectedFiles(): Array<[string, string, string]>;
