// A flame graph (SVG, no dependencies) from folded stacks ("root;child;leaf microseconds" lines):
// one row per stack depth, each frame as wide as the time spent under it, coloured by where its
// code lives (Idem red, Prisma purple, pg blue, Node.js green, the rest yellow).

type Frame = { name: string; value: number; children: Map<string, Frame> };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function colour(name: string): string {
  if (name.includes('lib/')) return '#e8744f';
  if (name.includes('Prisma')) return '#a57bd6';
  if (name.includes('pg driver')) return '#5b9bd5';
  if (name.includes('Node.js core')) return '#6fbf73';
  if (name.includes('GC')) return '#b0b0b0';
  return '#e6c15a';
}

export function flameGraph(folded: string, title: string): string {
  const root: Frame = { name: 'all', value: 0, children: new Map() };
  for (const line of folded.split('\n')) {
    const at = line.lastIndexOf(' ');
    const value = Number(line.slice(at + 1));
    if (!(value > 0)) continue;
    root.value += value;
    let node = root;
    for (const name of line.slice(0, at).split(';')) {
      let child = node.children.get(name);
      if (!child) node.children.set(name, (child = { name, value: 0, children: new Map() }));
      child.value += value;
      node = child;
    }
  }
  const width = 1200;
  const row = 16;
  const top = 30;
  const boxes: { node: Frame; x: number; w: number; depth: number }[] = [];
  const layout = (node: Frame, x: number, depth: number) => {
    const w = (node.value / root.value) * width;
    if (w < 0.5) return;
    boxes.push({ node, x, w, depth });
    let cx = x;
    for (const child of [...node.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      layout(child, cx, depth + 1);
      cx += (child.value / root.value) * width;
    }
  };
  layout(root, 0, 0);
  const depthMax = Math.max(0, ...boxes.map((b) => b.depth));
  const height = top + (depthMax + 1) * row + 10;
  // The root at the bottom, callees above their callers.
  const rects = boxes.map(({ node, x, w, depth }) => {
    const y = top + (depthMax - depth) * row;
    const share = ((node.value / root.value) * 100).toFixed(1);
    const text =
      w > 40
        ? `<text x="${(x + 3).toFixed(1)}" y="${y + 12}" font-size="10">${esc(node.name.slice(0, Math.floor(w / 6)))}</text>`
        : '';
    return `<g><title>${esc(`${node.name}: ${share} %`)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0.5, w - 0.5).toFixed(1)}" height="${row - 1}" fill="${colour(node.name)}"/>${text}</g>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-family="sans-serif" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...rects,
    '</svg>',
    '',
  ].join('\n');
}
