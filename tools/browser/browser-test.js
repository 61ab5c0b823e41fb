// Browser test: start the server exactly as `make lab` does, open a notebook in headless Chromium,
// run all its cells through the UI, check that a rendered HTML table and an SVG ladder appear,
// save a screenshot; for a notebook of the Chinese edition (zh/NN-name.ipynb) also that a table header reads 核对.
// Prints one line; exit 0 on success. Usage: node browser-test.js [notebook]
const { chromium } = require('playwright-core');
const { spawn } = require('child_process');
const crypto = require('crypto');
const net = require('net');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const NOTEBOOK = process.argv[2] || '00-start-here.ipynb';
const OUT = path.join(ROOT, 'build', 'browser');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function waitForServer(url, seconds) {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    try { const r = await fetch(url); if (r.ok) return true; } catch (e) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  const log = fs.openSync(path.join(OUT, 'server.log'), 'w');
  const server = spawn(path.join(ROOT, 'tools', 'lab.sh'), ['lab'], {
    cwd: ROOT, env: { ...process.env, LAB_PORT: String(port), LAB_TOKEN: token }, stdio: ['ignore', log, log], detached: true,
  });
  let browser;
  let verdict = 'FAIL';
  let detail = '';
  try {
    const base = `http://127.0.0.1:${port}`;
    if (!(await waitForServer(`${base}/api/status?token=${token}`, 120))) throw new Error('the lab server did not answer within 120 s');
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/notebooks/${NOTEBOOK}?token=${token}`);
    // classic Notebook UI (Debian's jupyter-notebook): wait for the kernel, then Cell > Run All
    await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel
      && Jupyter.notebook.kernel.is_connected(), null, { timeout: 60000 });
    for (let attempt = 1; attempt <= 4; attempt++) { // rapaio may not answer its first start: restart it
      // the kernel answered kernel_info (info_reply starts as {}, so it must have keys)
      const idle = await page.waitForFunction(() => Object.keys(Jupyter.notebook.kernel.info_reply || {}).length > 0
        && Jupyter.notebook.kernel.is_connected(), null, { timeout: 30000 }).then(() => true, () => false);
      if (idle) break;
      console.log(`  browser: kernel start ${attempt} did not answer; restarting it`);
      await page.evaluate(() => Jupyter.notebook.kernel.restart());
    }
    const t0 = Date.now();
    await page.evaluate(() => Jupyter.notebook.execute_all_cells());
    await page.waitForFunction(() => {
      const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
      return cells.every((c) => c.input_prompt_number !== '*' && c.input_prompt_number !== undefined && c.input_prompt_number !== null);
    }, null, { timeout: 120000, polling: 500 });
    const ran = ((Date.now() - t0) / 1000).toFixed(1);
    const tables = await page.locator('.output_area table').count();
    const svgs = await page.locator('.output_area svg').count();
    const errors = await page.locator('.output_area .output_error, .output_area .output_stderr').count();
    // the Chinese edition (NOTEBOOK=zh/...): a calls table's check column renders as 核对
    const heads = await page.evaluate(() => [...document.querySelectorAll('.output_area table th')].map((th) => th.textContent.trim()));
    const zhOk = !NOTEBOOK.startsWith('zh/') || heads.includes('核对');
    const shot = path.join(OUT, NOTEBOOK.replace(/\//g, '-').replace('.ipynb', '.png'));
    const ladder = page.locator('.output_area svg').first();
    if (svgs > 0) await ladder.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot, fullPage: true });
    detail = `${NOTEBOOK}: all cells ran in ${ran} s, ${tables} HTML tables, ${svgs} SVG ladders, ${errors} error outputs`
      + `${NOTEBOOK.startsWith('zh/') ? `, table header 核对 ${zhOk ? 'rendered' : 'MISSING'}` : ''}; screenshot ${path.relative(ROOT, shot)}`;
    if (tables > 0 && svgs > 0 && errors === 0 && zhOk) verdict = 'ok';
    await page.evaluate(() => Jupyter.notebook.kernel.kill());
  } catch (e) {
    detail = String(e.message || e).split('\n')[0];
  } finally {
    if (browser) await browser.close();
    try { process.kill(-server.pid, 'SIGTERM'); } catch (e) { /* gone */ }
  }
  console.log(`${verdict.padEnd(4)} browser  (${detail})`);
  process.exit(verdict === 'ok' ? 0 : 1);
})();
