/**
 * Headless Chromium for the browser test: Debian's `chromium` package, installed with apt-get
 * when missing and we are root (the test is skipped, saying why, otherwise).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function findChromium(): string | undefined {
  const configured = process.env.MCPFLOW_CHROMIUM_PATH;
  if (configured) return existsSync(configured) ? configured : undefined;
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

/** The Chromium binary, or the reason there is none. */
export function ensureChromium(log: (line: string) => void): { path: string } | { missing: string } {
  const found = findChromium();
  if (found) return { path: found };
  if (process.getuid?.() !== 0) return { missing: 'Chromium is not installed and we are not root: apt-get install chromium (or set MCPFLOW_CHROMIUM_PATH)' };
  log('installing Chromium with apt-get (Debian package "chromium")...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env, timeout: 15 * 60_000 });
  } catch (error) {
    return { missing: `apt-get install chromium failed: ${(error as Error).message}` };
  }
  const installed = findChromium();
  return installed ? { path: installed } : { missing: 'apt-get installed "chromium" but no /usr/bin/chromium appeared' };
}
