import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from './html.js';

describe('escapeHtml', () => {
  it('escapes what could open a tag, an entity or leave an attribute', () => {
    expect(escapeHtml(`<script>alert("x" + 'y') & </script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;) &amp; &lt;/script&gt;');
    expect(escapeHtml('École über 100%')).toBe('École über 100%');
  });

  it('escapes an escape again rather than trusting it', () => {
    expect(escapeHtml('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });
});

describe('html', () => {
  it('escapes every interpolated value, keeps markup made by html, and drops absent values', () => {
    const name = '<img src=x onerror=alert(1)>';
    const cell = html`<td title="${name}">${name}</td>`;
    expect(cell.markup).toBe('<td title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;</td>');
    expect(html`<tr>${cell}${null}${undefined}${false}${0}</tr>`.markup).toBe(`<tr>${cell.markup}0</tr>`);
  });

  it('escapes each item of a list', () => {
    expect(html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.markup).toBe('<ul>&lt;a&gt;<li>ok</li></ul>');
  });

  it('does not take an object that only looks like markup', () => {
    const forged = { markup: '<script>x</script>' } as unknown as string;
    expect(html`${forged}`.markup).toBe('[object Object]');
  });
});
