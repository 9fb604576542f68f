/**
 * V8's own heap, as far as it shows in the process's VMAs. V8 allocates its paged spaces (new, old,
 * code) in pages of 256 KiB, each mapped where the kernel puts it, so each is a VMA of its own. Its
 * young generation starts at 16 MiB and doubles under a run's allocation rate: some 64 VMAs that no
 * workload made, which a run's VMA balance must not read as mappings left behind.
 */
import { getHeapSpaceStatistics } from 'node:v8';

/** Bytes V8 holds in its paged spaces (the large-object and shared spaces left out). */
export function v8PagedHeapBytes(): number {
  return getHeapSpaceStatistics()
    .filter((s) => !s.space_name.includes('large_object') && !s.space_name.startsWith('read_only') && !s.space_name.startsWith('shared'))
    .reduce((sum, s) => sum + s.space_size, 0);
}
