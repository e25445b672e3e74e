// Function parameters as Moodle's REST server reads them: PHP array notation in a form body
// (`users[0][username]=x`, `options[1][name]=users`), booleans as 1/0, undefined and null left out.

export type MoodleParamValue = string | number | boolean | null | undefined | readonly MoodleParamValue[] | { readonly [key: string]: MoodleParamValue };
export type MoodleParams = Readonly<Record<string, MoodleParamValue>>;

export function encodeMoodleParams(params: MoodleParams, into = new URLSearchParams()): URLSearchParams {
  for (const [key, value] of Object.entries(params)) append(into, key, value);
  return into;
}

function append(into: URLSearchParams, key: string, value: MoodleParamValue): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item: MoodleParamValue, i) => append(into, `${key}[${i}]`, item));
    return;
  }
  if (typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) append(into, `${key}[${name}]`, item);
    return;
  }
  into.append(key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
}
