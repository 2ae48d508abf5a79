// What the app's young generation promotes: V8's sampling heap profiler, over the inspector of an
// instance started with --inspect, told to keep the samples of objects a major collection later
// frees and to drop those a scavenge frees. What is left are the allocations that lived through
// scavenges (promoted to the old space, or still alive when the window ends), by the function that
// allocated them: the garbage that makes the old space grow and its collections run.
import WebSocket from 'ws';
import { frameOwner } from './app-profile';

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; selfSize: number; children: ProfileNode[] };
type SamplingProfile = { head: ProfileNode; samples: { size: number; nodeId: number }[] };

export type PromotedSite = { site: string; bytes: number; stack: string };
/** The allocations by whose code made them (the innermost frame outside Node.js core), and by site. */
export type Promoted = { byOwner: [owner: string, bytes: number][]; sites: PromotedSite[] };

/** Connects to the inspector at `port` (the instance's --inspect=127.0.0.1:port). */
async function inspector(port: number) {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const socket = new WebSocket(target!.webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let id = 0;
  const waiting = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message);
  });
  const send = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const n = ++id;
      waiting.set(n, (m) => (m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result as T)));
      socket.send(JSON.stringify({ id: n, method, params }));
    });
  return { send, close: () => socket.close() };
}

/** Bytes sampled per allocating frame (and its callers), largest first, and per owner. */
function promotedOf(profile: SamplingProfile): Promoted {
  const owner = frameOwner();
  const byNode = new Map<number, { node: ProfileNode; path: ProfileNode[] }>();
  const walk = (node: ProfileNode, path: ProfileNode[]) => {
    byNode.set(node.id, { node, path });
    for (const child of node.children) walk(child, [...path, node]);
  };
  walk(profile.head, []);
  const ownerOf = (n: ProfileNode) => owner(n.callFrame.url, n.callFrame.lineNumber, n.callFrame.columnNumber);
  const frame = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${ownerOf(n)}`;
  const sites = new Map<string, PromotedSite>();
  const owners = new Map<string, number>();
  for (const sample of profile.samples) {
    const found = byNode.get(sample.nodeId);
    if (!found) continue;
    const frames = [found.node, ...found.path.slice().reverse()];
    const who = frames.map(ownerOf).find((o) => o !== 'Node.js core' && o !== '') ?? 'Node.js core';
    owners.set(who, (owners.get(who) ?? 0) + sample.size);
    const site = frame(found.node);
    const stack = frames.slice(1, 7).map(frame).join(' < ');
    const key = `${site}|${stack}`;
    const entry = sites.get(key) ?? { site, bytes: 0, stack };
    entry.bytes += sample.size;
    sites.set(key, entry);
  }
  return {
    byOwner: [...owners].sort((a, b) => b[1] - a[1]),
    sites: [...sites.values()].sort((a, b) => b.bytes - a.bytes),
  };
}

/** Samples, while `during` runs, the allocations that outlive scavenges; answers them by site. */
export async function samplePromoted(port: number, during: () => Promise<void>): Promise<Promoted> {
  const session = await inspector(port);
  try {
    await session.send('HeapProfiler.enable');
    await session.send('HeapProfiler.startSampling', {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: false,
    });
    await during();
    const { profile } = await session.send<{ profile: SamplingProfile }>('HeapProfiler.stopSampling');
    return promotedOf(profile);
  } finally {
    session.close();
  }
}
