// Reading a service's GET /metrics in tests: the Prometheus text format (version 0.0.4), each sample
// with its labels, and the sum of the samples a name and some labels select.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (value: string) => value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** The samples of a scrape; comment lines and blank lines left out, a line that is neither fails. */
export function parsePrometheusText(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE.exec(line);
      if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map(([, k, v]) => [k!, unescape(v!)]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

export class Scrape {
  constructor(readonly samples: readonly Sample[]) {}

  /** The sum of the samples of `name` whose labels include `labels`; 0 when there is none. */
  value(name: string, labels: Readonly<Record<string, string>> = {}): number {
    return this.select(name, labels).reduce((sum, s) => sum + s.value, 0);
  }

  /** The samples of `name` whose labels include `labels`. */
  select(name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  has(name: string): boolean {
    return this.samples.some((s) => s.name === name);
  }
}

/** GET <url>/metrics, read. */
export async function scrapeMetrics(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return new Scrape(parsePrometheusText(await response.text()));
}
