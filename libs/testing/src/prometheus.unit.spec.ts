import { describe, expect, it } from 'vitest';
import { parsePrometheusText, Scrape } from './prometheus.js';

const TEXT = `# HELP vle_jobs_succeeded_total Job attempts that succeeded
# TYPE vle_jobs_succeeded_total counter
vle_jobs_succeeded_total{queue="bench",action="noop"} 5
vle_jobs_succeeded_total{queue="mails",action="send"} 1

vle_live_stream_clients 2
vle_odd{reason="a \\"quoted\\" word, a \\\\ and\\na line"} 1.5e+3
`;

describe('parsePrometheusText', () => {
  it('reads each sample with its labels, escapes included', () => {
    expect(parsePrometheusText(TEXT)).toEqual([
      { name: 'vle_jobs_succeeded_total', labels: { queue: 'bench', action: 'noop' }, value: 5 },
      { name: 'vle_jobs_succeeded_total', labels: { queue: 'mails', action: 'send' }, value: 1 },
      { name: 'vle_live_stream_clients', labels: {}, value: 2 },
      { name: 'vle_odd', labels: { reason: 'a "quoted" word, a \\ and\na line' }, value: 1500 },
    ]);
  });

  it('refuses a line that is not a sample', () => {
    expect(() => parsePrometheusText('vle_x{queue="a"\n')).toThrow('not a Prometheus sample line: vle_x{queue="a"');
  });

  it('sums the samples a name and some labels select, 0 when none', () => {
    const scrape = new Scrape(parsePrometheusText(TEXT));
    expect(scrape.value('vle_jobs_succeeded_total')).toBe(6);
    expect(scrape.value('vle_jobs_succeeded_total', { queue: 'mails' })).toBe(1);
    expect(scrape.value('vle_jobs_failed_total')).toBe(0);
  });
});
