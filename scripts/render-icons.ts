// Renders the app icon (app/icon.svg, the one source) into the raster files browsers and phones ask
// for: app/apple-icon.png (180 px, home screens) and public/favicon.ico (32 px, a PNG inside an ICO
// container, for clients that request /favicon.ico blindly). Run after editing the SVG:
//   npx tsx scripts/render-icons.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';

const svg = readFileSync('app/icon.svg', 'utf8');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function render(size: number): Promise<Buffer> {
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
    );
    return await page.screenshot({ omitBackground: true });
  } finally {
    await browser.close();
  }
}

/** An ICO file holding one PNG image (supported by every current browser). */
function icoOf(png: Buffer, size: number): Buffer {
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6); // width
  header.writeUInt8(size, 7); // height
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(header.length, 18); // offset of the image
  return Buffer.concat([header, png]);
}

writeFileSync('app/apple-icon.png', await render(180));
writeFileSync('public/favicon.ico', icoOf(await render(32), 32));
console.log('wrote app/apple-icon.png and public/favicon.ico');
