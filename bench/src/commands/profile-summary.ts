// `profile-summary <files...>`: the self-time tables of .cpuprofile files written by --cpu-prof.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ProfileSummaryOptions } from '../cli/command-line.js';
import { formatProfileSummary, summarizeProfile, type CpuProfile } from '../profile/profile-summary.js';

export function profileSummary(o: ProfileSummaryOptions): number {
  for (const file of o.files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    console.log(`\n${formatProfileSummary(basename(file), summarizeProfile(profile, o.top))}`);
  }
  return 0;
}
