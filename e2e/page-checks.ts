import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

// What every page people use must pass: nothing wider than the screen, and no
// serious or critical accessibility violation that axe-core can find.

export const SIZES = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

async function expectNoHorizontalOverflow(page: Page, label: string): Promise<void> {
  const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // The deepest elements sticking out on the right, to say what to fix.
    culprits: [...document.body.querySelectorAll('*')]
      .filter(
        (e) =>
          e.getBoundingClientRect().right > window.innerWidth + 0.5 &&
          ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5),
      )
      .slice(0, 5)
      .map(
        (e) =>
          `<${e.tagName.toLowerCase()} class="${e.className}"> ends at ${Math.round(e.getBoundingClientRect().right)}px`,
      ),
  }));
  expect(
    scrollWidth,
    `${label}: the page is ${scrollWidth}px wide in a ${innerWidth}px window: ${culprits.join('; ')}`,
  ).toBeLessThanOrEqual(innerWidth);
}

async function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `${label}: axe-core violations`,
  ).toEqual([]);
}

export async function checkPage(page: Page, label: string): Promise<void> {
  // A page that has just re-rendered (a server action, a refresh) may still be streaming its
  // metadata: the check is of the page as it settles, title included.
  await expect(page, `${label}: the page has a title`).toHaveTitle(/\S/);
  await expectNoHorizontalOverflow(page, label);
  await expectNoSeriousAxeViolations(page, label);
}

const isFocused = (target: Locator) => target.evaluate((element) => element === document.activeElement);

/** Presses Tab (only Tab) until `target` has the focus; fails if it never does. */
export async function tabTo(page: Page, target: Locator, maxPresses = 40): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    if (await isFocused(target)) return;
    await page.keyboard.press('Tab');
  }
  expect(await isFocused(target), `${target} never got the focus by Tab`).toBe(true);
}

export async function expectFocused(target: Locator): Promise<void> {
  await expect.poll(() => isFocused(target)).toBe(true);
}

/**
 * Every table on the page fits the screen as people read it: no control in a table cut off (by the
 * window or by a box that clips it), no table scrolling sideways inside its region, every email
 * whole (on one line, or broken only right after its '@'), every id on the same line as its Copy
 * button. Soft (a caller checks several pages and hears about all of them); returns how many tables
 * it looked at, so a caller can say it saw the ones it meant to.
 */
export async function expectTablesFit(page: Page, label: string): Promise<number> {
  const { tables, problems } = await page.evaluate(() => {
    const problems: string[] = [];
    const describe = (e: Element) =>
      `<${e.tagName.toLowerCase()}${e.className ? ` class="${e.className}"` : ''}> "${(e.textContent ?? '').trim().slice(0, 40)}"`;
    const clips = (e: Element) => ['hidden', 'auto', 'scroll', 'clip'].includes(getComputedStyle(e).overflowX);
    const visible = (e: Element) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    const tables = [...document.querySelectorAll('table')].filter(visible);
    for (const table of tables) {
      for (let box: Element | null = table; box && box !== document.body; box = box.parentElement) {
        if (clips(box) && box.scrollWidth > box.clientWidth + 1)
          problems.push(`${describe(box)} scrolls sideways: ${box.scrollWidth}px of content in ${box.clientWidth}px`);
      }
      const controls = [...table.querySelectorAll('a, button, input, select, textarea, summary')].filter(visible);
      for (const control of controls) {
        if (control.closest('.visually-hidden')) continue;
        const r = control.getBoundingClientRect();
        if (r.left < -0.5 || r.right > window.innerWidth + 0.5)
          problems.push(`${describe(control)} is outside the window (${Math.round(r.left)}–${Math.round(r.right)}px)`);
        for (let box = control.parentElement; box && box !== document.body; box = box.parentElement) {
          if (!clips(box)) continue;
          const b = box.getBoundingClientRect();
          if (r.left < b.left - 0.5 || r.right > b.right + 0.5)
            problems.push(`${describe(control)} is cut off by ${describe(box)}`);
        }
      }
      // Emails: the deepest elements holding an '@', their text read character by character.
      const holders = [...table.querySelectorAll('*')].filter(
        (e) =>
          visible(e) &&
          !e.closest('.visually-hidden') &&
          /\S@\S/.test(e.textContent ?? '') &&
          ![...e.children].some((c) => /\S@\S/.test(c.textContent ?? '')),
      );
      for (const holder of holders) {
        const chars: { ch: string; rect: DOMRect }[] = [];
        const walker = document.createTreeWalker(holder, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
          if (node.parentElement?.closest('.visually-hidden')) continue;
          for (let i = 0; i < node.data.length; i++) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const rect = range.getBoundingClientRect();
            if (rect.width > 0 || rect.height > 0) chars.push({ ch: node.data[i]!, rect });
          }
        }
        const text = chars.map((c) => c.ch).join('');
        const cell = (holder.closest('td, th') ?? holder).getBoundingClientRect();
        for (const match of text.matchAll(/[^\s@]+@[^\s@]+\.[^\s@]+/g)) {
          const span = chars.slice(match.index, match.index + match[0].length);
          span.forEach((c, i) => {
            const previous = span[i - 1];
            if (previous && c.rect.top >= previous.rect.bottom - 1 && previous.ch !== '@')
              problems.push(`the email ${match[0]} breaks before "${c.ch}" (index ${i})`);
            if (c.rect.right > cell.right + 0.5 || c.rect.left < cell.left - 0.5)
              problems.push(`the email ${match[0]} sticks out of its cell`);
          });
        }
      }
      for (const copy of [...table.querySelectorAll('button')].filter(
        (b) => visible(b) && /^Cop(y|ied)/.test((b.textContent ?? '').trim()),
      )) {
        const id = copy.previousElementSibling;
        if (!id) continue;
        const shown = id.querySelector('code') ?? id;
        // One rect per text run, so rects on one line are counted as one line.
        const rects = [...shown.getClientRects()].sort((x, y) => x.top - y.top);
        const lines = rects.filter((r, i) => i === 0 || r.top >= rects[i - 1]!.bottom - 1);
        const b = copy.getBoundingClientRect();
        const last = rects[rects.length - 1];
        if (lines.length !== 1)
          problems.push(
            `the id ${describe(shown)} takes ${lines.length} lines (${rects.map((r) => `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}`).join('; ')})`,
          );
        if (!last || last.bottom <= b.top || last.top >= b.bottom)
          problems.push(`the id ${describe(shown)} is not on the line of its Copy button`);
      }
    }
    return { tables: tables.length, problems: [...new Set(problems)] };
  });
  expect.soft(problems, `${label}: tables that do not fit`).toEqual([]);
  return tables;
}
