// Decodes a gzip-compressed pprof file with the pprof-format package (an
// independent decoder) and prints its sample types and per-type totals.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

const profile = Profile.decode(gunzipSync(readFileSync(process.argv[2])));
const str = (i) => profile.stringTable.strings[Number(i)];
const types = profile.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) }));
const totals = types.map(() => 0n);
for (const s of profile.sample) s.value.forEach((v, i) => { totals[i] += BigInt(v); });
const functions = new Set(profile.function.map((f) => str(f.name)));
// locations with an address and no lines, as "mapping-file 0xaddress"
const mappingFile = new Map(profile.mapping.map((m) => [Number(m.id), str(m.filename)]));
const unsymbolized = profile.location.filter((l) => !(l.line || []).length)
  .map((l) => `${mappingFile.get(Number(l.mappingId)) ?? ''} 0x${BigInt(l.address).toString(16)}`);
// the thread label of each sample (profiles with a timeline)
const threads = new Set();
for (const s of profile.sample)
  for (const l of s.label || []) if (str(l.key) === 'thread') threads.add(str(l.str));
console.log(JSON.stringify({
  types,
  totals: totals.map(String),
  samples: profile.sample.length,
  locations: profile.location.length,
  functions: [...functions].sort(),
  threads: [...threads].sort(),
  unsymbolized: [...new Set(unsymbolized)].sort(),
  labelled: profile.sample.filter((s) => (s.label || []).some((l) => str(l.key) === 'thread')).length,
}));
