// Remembered window bounds: restored when valid and visible, ignored when damaged or off every screen.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVisibleOnSomeDisplay, loadWindowState, saveWindowState, WINDOW_STATE_FILE } from '../../main/electron/window-state';

const screens = [
  { x: 0, y: 0, width: 1920, height: 1040 },
  { x: 1920, y: 0, width: 1280, height: 1024 },
];
const tempDir = () => fs.mkdtempSync(`${os.tmpdir()}/baton-`);

describe('window bounds', () => {
  it('are restored as saved when they are on a screen', () => {
    const dir = tempDir();
    saveWindowState(dir, { x: 2000, y: 100, width: 1000, height: 700, maximized: true });
    expect(loadWindowState(dir, screens)).toEqual({ x: 2000, y: 100, width: 1000, height: 700, maximized: true });
  });

  it('are ignored when the screen they were on is gone', () => {
    const dir = tempDir();
    saveWindowState(dir, { x: 2000, y: 100, width: 1000, height: 700, maximized: false });
    expect(loadWindowState(dir, [screens[0]!])).toBeNull();
  });

  it('a window whose title bar is off screen does not count as visible', () => {
    expect(isVisibleOnSomeDisplay({ x: 100, y: -600, width: 800, height: 600 }, screens)).toBe(false);
    expect(isVisibleOnSomeDisplay({ x: 1860, y: 10, width: 800, height: 600 }, screens)).toBe(true);
    expect(isVisibleOnSomeDisplay({ x: -790, y: 10, width: 800, height: 600 }, screens)).toBe(false);
  });

  it('a damaged or foreign file is ignored', () => {
    const dir = tempDir();
    const file = path.join(dir, WINDOW_STATE_FILE);
    expect(loadWindowState(dir, screens)).toBeNull();
    fs.writeFileSync(file, '{"x":');
    expect(loadWindowState(dir, screens)).toBeNull();
    fs.writeFileSync(file, JSON.stringify({ x: 10, y: 10, width: -5, height: 'tall' }));
    expect(loadWindowState(dir, screens)).toBeNull();
  });
});
