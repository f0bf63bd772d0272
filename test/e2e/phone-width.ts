// Phone-width check for the browser tests: a page at 390 px (an iPhone's CSS width) must not be wider than the
// screen, or the person scrolls sideways to read it. Each page checked is also screenshotted at that width.
import type { Page } from 'playwright-core';

export const PHONE = { width: 390, height: 844 } as const;

/** Opens `url` at phone width once its data has loaded; returns how much wider than the screen it is ("" when it fits). */
export async function overflowAtPhoneWidth(page: Page, url: string, shot: (page: Page, name: string) => Promise<void>, name: string): Promise<string> {
  await page.setViewportSize(PHONE);
  await page.goto(url);
  await page.locator('h1').first().waitFor();
  await page.locator('.state-loading').first().waitFor({ state: 'detached' });
  const { documentWidth, viewport, widest } = await page.evaluate(() => {
    const viewport = window.innerWidth;
    const documentWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
    // The element that reaches furthest right, to say in the failure what is too wide.
    let widest = '';
    let right = viewport;
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      const r = el.getBoundingClientRect().right + window.scrollX;
      if (r > right + 0.5) {
        right = r;
        widest = `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} reaching ${Math.round(r)} px`;
      }
    }
    return { documentWidth, viewport, widest };
  });
  await shot(page, `${name}-phone`);
  return documentWidth > viewport ? `${name} (${url}): ${documentWidth} px wide at ${viewport} px; widest: ${widest}` : '';
}
