// Where results go: the readable report on stdout, or with --json one JSON line per result on
// stdout and the readable report on stderr (so that one run gives both, e.g. `> run.jsonl`).

export interface Output {
  report(text: string): void;
  json(value: unknown): void;
}

export function outputFor(json: boolean): Output {
  return {
    report: (text) => void (json ? process.stderr : process.stdout).write(`${text}\n`),
    json: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
    },
  };
}
