// Types of deploy-check.js (plain JavaScript run by `npm run deploy:check`), for its test.

export const SERVICE_DRAIN_SECONDS: number;
export interface Problem {
  readonly file: string;
  readonly document?: number;
  readonly kind?: string;
  readonly name?: string;
  readonly field?: string;
  readonly message: string;
}
export function formatProblem(problem: Problem): string;
/** Every problem of the deploy files under `root` (the repository by default), one line each. */
export function deployCheck(root?: string): Promise<{ documents: number; problems: string[] }>;
