// Where the published v1 contract is kept: a copy of proto/ that `npm run proto:check` compares with
// and only `npm run proto:baseline` rewrites. Outside proto/ so that buf lint and the generated code
// never see it twice.
export const BASELINE_DIR = 'contract/v1-baseline';
