// The accessibility check the e2e specs share: axe-core's WCAG 2 A/AA rules, serious and critical findings only.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** Violations of impact serious or critical, as readable lines: rule, what it says, and where. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${v.help} at ${n.target.join(' ')}`));
}
