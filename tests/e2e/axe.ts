// The accessibility check the e2e specs share: axe-core's WCAG 2 A/AA rules, serious and critical findings only.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** Violations of impact serious or critical, as readable lines: rule, what it says, and where. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // a theme switch or a hover starts CSS transitions (a button fades its background over 0.12 s), and axe reads the
  // colours of that instant: CI once failed a contrast check halfway through one. Wait for them; animations (the
  // spinner, the offer's pulse) keep running and are not waited for.
  await page.waitForFunction(() => document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running'), null, {
    timeout: 5000,
  });
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${v.help} at ${n.target.join(' ')}`));
}
