// Writing queries of the search language (`q`; services/projection/README.md, "The search
// language") from values that come from elsewhere: a value in double quotes, with `\` before `"` and
// `\`, is read back as exactly that value, whatever it holds.

/** `value` as one value of the search language: `name ~ ${searchValue(input)}`. */
export function searchValue(value: string | number): string {
  return `"${String(value).replace(/["\\]/g, '\\$&')}"`;
}

/** The query that matches one Task: `id = "<uuid>"`. */
export function taskIdQuery(taskId: string): string {
  return `id = ${searchValue(taskId)}`;
}
