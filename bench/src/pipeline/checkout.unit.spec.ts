import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asRecorded, THIS_ROOT, thisCheckout } from './checkout.js';

describe('a recorded checkout', () => {
  it('names its root relative to this checkout, never by a path of the machine', () => {
    expect(asRecorded(thisCheckout())).toEqual({ root: '.', label: thisCheckout().label });
    expect(asRecorded({ root: join(dirname(THIS_ROOT), 'wt-base'), label: 'before' })).toEqual({ root: '../wt-base', label: 'before' });
  });
});
