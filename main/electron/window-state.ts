// Remembers the main window's position and size in a small JSON file in the user's data folder; a file that
// does not parse, or bounds that no display shows any more, are ignored.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const WINDOW_STATE_FILE = 'window-state.json';

export const WindowStateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(20000),
  height: z.number().int().min(150).max(20000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A window counts as visible when at least 100×50 px of its top part lies inside some display's work area. */
export function isVisibleOnSomeDisplay(bounds: Area, workAreas: Area[]): boolean {
  const titleBar = { x: bounds.x, y: bounds.y, width: bounds.width, height: Math.min(bounds.height, 50) };
  return workAreas.some((area) => {
    const w = Math.min(titleBar.x + titleBar.width, area.x + area.width) - Math.max(titleBar.x, area.x);
    const h = Math.min(titleBar.y + titleBar.height, area.y + area.height) - Math.max(titleBar.y, area.y);
    return w >= 100 && h >= Math.min(50, titleBar.height);
  });
}

export function loadWindowState(dir: string, workAreas: Area[]): WindowState | null {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, WINDOW_STATE_FILE), 'utf8'));
  } catch {
    return null;
  }
  const parsed = WindowStateSchema.safeParse(raw);
  if (!parsed.success) return null;
  return isVisibleOnSomeDisplay(parsed.data, workAreas) ? parsed.data : null;
}

export function saveWindowState(dir: string, state: WindowState): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, WINDOW_STATE_FILE);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(state));
    fs.renameSync(`${file}.tmp`, file);
  } catch {
    // Losing the window position is harmless; failing to quit over it would not be.
  }
}
