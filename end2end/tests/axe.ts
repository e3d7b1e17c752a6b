// axe-core in the real browser: the WCAG 2.1 AA rules a page breaks, one line per rule.
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export async function violations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
