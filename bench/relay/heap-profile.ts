// The summary `bench:relay -- --heap-profile old|all` prints: a sampling heap profile (server-stats.ts) as the
// allocation sites that gave the most bytes (to the old generation, or at all), each with its callers, per message.
import fs from 'node:fs';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const frameName = ({ functionName, url, lineNumber }: HeapNode['callFrame']) =>
  `${functionName || '(anonymous)'} (${url ? `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : 'native'})`;

/** The `top` sites by bytes, as printable lines: bytes per message, share, site and its two nearest callers. */
export function heapProfileSummary(file: string, messages: number, top = 12): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { head: HeapNode };
  const sites = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode, callers: string[]) => {
    const name = frameName(node.callFrame);
    if (node.selfSize) {
      total += node.selfSize;
      const site = [name, ...callers.slice(-2).reverse()].join(' < ');
      sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, [...callers, name]);
  };
  walk(profile.head, []);
  const perMessage = (bytes: number) => `${(bytes / Math.max(1, messages)).toFixed(0).padStart(5)} B/msg`;
  const lines = [`${perMessage(total)} in all (${(total / 1e6).toFixed(1)} MB sampled)`];
  for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`${perMessage(bytes)} ${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${site}`);
  }
  return lines;
}
