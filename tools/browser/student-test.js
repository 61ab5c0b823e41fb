// The lab as a student lives it (part of `make test`): the notebook server is started with the same
// command as `make lab` (Jupyter Notebook, a token, 127.0.0.1, an ephemeral port), as the unprivileged
// user when started as root, on a private copy of the lab; headless Chromium opens EVERY notebook in the
// served UI (first the file list, the URL `make lab` prints, then each notebook in a new tab) and runs it
// top to bottom (Cell > Run All). A notebook fails on:
//   - any error output (.output_error) or anything written to stderr (.output_stderr);
//   - a kernel that is not ready within KERNEL_READY_LIMIT s (5) of its start (the session's kernel
//     id appears -> kernel_info answered, the indicator idle; the page's own load is reported, not
//     counted); a kernel silent for KERNEL_READY_WAIT s (20) is given
//     up (the server itself would wait 60 s): page closed, session ended, notebook opened again (at most
//     KERNEL_OPENS times, 3), so that the other checks still run;
//   - a ladder (an SVG in an output) without packets, where user namespaces are available to the user
//     (`unshare -rn true` as that user); EXPECT_PACKETS=auto|yes|no (default auto);
//   - in notebook 03: an interrupt that does not end the cell: the sweep cell is started, the stop
//     button is clicked, the cell must end within 2 s with a short message, then `1 + 1` must show 2
//     (then the same with a cell `Thread.sleep(30000)`);
//   - its own deadline (NOTEBOOK_DEADLINE s, 150): the page is closed and the notebook's kernel killed;
//   - in the Chinese edition's notebook (ZH_NOTEBOOK, zh/02-crashed-receiver.ipynb, run after the English ones
//     when the copy has it): no calls-table header 核对 (the check column in Chinese) in its rendered tables.
// Afterwards nothing may be left: the server and its kernels stopped, no process of this run (every
// process started here carries TCPLAB_BROWSER_RUN=<id> in its environment), no Chromium of this run.
// Screenshots (full page, and the first ladder of each notebook) land in --out.
// One line per notebook, then a total; --record appends 1 (passed) or 0 (failed) per notebook and one
// for the clean-up, as tools/run_notebooks.py --record does.
//
// Usage: node student-test.js --dir LAB_COPY --python PY [--user NAME] [--out DIR] [--record FILE] [--profile DIR]
//        [--java-home DIR] [notebook.ipynb ...]
const { chromium } = require('playwright-core');
const { spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const args = { notebooks: [] };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (['--dir', '--python', '--user', '--out', '--record', '--java-home', '--profile'].includes(a)) args[a.slice(2)] = process.argv[++i];
  else args.notebooks.push(a);
}
if (!args.dir || !args.python) {
  console.error('usage: node student-test.js --dir LAB_COPY --python PY [--user NAME] [--out DIR] [--record FILE] [notebook ...]');
  process.exit(2);
}
const DIR = path.resolve(args.dir);
const OUT = path.resolve(args.out || path.join(DIR, 'build', 'browser'));
const IS_ROOT = process.getuid() === 0;
const USER = IS_ROOT ? (args.user || 'tcplab-student') : os.userInfo().username;
const num = (name, dflt) => (Number.isFinite(Number(process.env[name])) && process.env[name] !== '' && process.env[name] !== undefined
  ? Number(process.env[name]) : dflt);
const KERNEL_READY_LIMIT = num('KERNEL_READY_LIMIT', 5);
const KERNEL_READY_WAIT = num('KERNEL_READY_WAIT', 20); // then the page is closed, its session ended, and opened again
const KERNEL_OPENS = num('KERNEL_OPENS', 3);
const NOTEBOOK_DEADLINE = num('NOTEBOOK_DEADLINE', 150);
const BROWSER_DEADLINE = num('BROWSER_DEADLINE', 870); // the whole phase (the ten notebooks and one Chinese one)
const ZH_NOTEBOOK = process.env.ZH_NOTEBOOK || 'zh/02-crashed-receiver.ipynb';
const ZH_HEADER = '核对'; // the calls table's check column, as the Chinese edition shows it
const INTERRUPT_LIMIT = num('INTERRUPT_LIMIT', 2);
const EXPECT_PACKETS = (process.env.EXPECT_PACKETS || 'auto').toLowerCase();
const RUN_ID = /^[0-9a-f]{8,32}$/.test(process.env.BROWSER_RUN_ID || '') ? process.env.BROWSER_RUN_ID : crypto.randomBytes(8).toString('hex');
const MARK = `TCPLAB_BROWSER_RUN=${RUN_ID}`; // in the environment of the server and all it starts
const CHROME_MARK = `TCPLAB_BROWSER_CHROMIUM=${RUN_ID}`; // in the environment of every Chromium process
const started = Date.now();
const secs = (t0) => (Date.now() - t0) / 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const label = `(browser, as ${USER})`;

function log(line) { process.stdout.write(line + '\n'); }

function freePort() { // as `make lab` does: bind 127.0.0.1:0, take the port, pass it to the server
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function fetchWithin(url, opts, seconds) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), seconds * 1000);
  try { return await fetch(url, { ...opts, signal: ctl.signal }); } finally { clearTimeout(timer); }
}

// --- processes of this run -------------------------------------------------------------------------
function procs() { // [{pid, ppid, uid, marked, chrome, cmd}] of every live process we may read
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const [state, ppidText] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue; // dead, only not yet reaped
      const ppid = Number(ppidText);
      const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${d}/status`, 'utf8'))[1]);
      let marked = false;
      let chrome = false;
      try {
        const env = fs.readFileSync(`/proc/${d}/environ`, 'latin1').split('\0');
        marked = env.includes(MARK);
        chrome = env.includes(CHROME_MARK);
      } catch (e) { /* not ours */ }
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'latin1').split('\0').join(' ').trim()
        || `[${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}] ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]}`;
      out.push({ pid: Number(d), ppid, uid, marked, chrome, cmd });
    } catch (e) { /* gone */ }
  }
  return out;
}

function descendants(root, list) {
  const kids = new Map();
  for (const p of list) { if (!kids.has(p.ppid)) kids.set(p.ppid, []); kids.get(p.ppid).push(p); }
  const found = [];
  const walk = (pid) => { for (const k of kids.get(pid) || []) { found.push(k); walk(k.pid); } };
  walk(root);
  return found;
}

function killAll(list, signal) {
  for (const p of list) { try { process.kill(p.pid, signal); } catch (e) { /* gone */ } }
}

// The processes of this run: marked ones, and children of the server that dropped the mark.
function ours(serverPid, exceptServer) {
  const list = procs();
  const mine = new Map();
  for (const p of list) if (p.marked && p.pid !== process.pid) mine.set(p.pid, p);
  if (serverPid) for (const p of descendants(serverPid, list)) mine.set(p.pid, p);
  let found = [...mine.values()];
  if (exceptServer && serverPid) {
    const keep = new Set([serverPid, ...descendants(serverPid, list).filter((p) => p.marked && / -m notebook /.test(` ${p.cmd} `)).map((p) => p.pid)]);
    found = found.filter((p) => !keep.has(p.pid) && !/ -m notebook /.test(` ${p.cmd} `));
  }
  return found;
}

function chromiumOf(profile) {
  return procs().filter((p) => p.chrome || p.cmd.includes(profile));
}

// --- one notebook ----------------------------------------------------------------------------------
async function pageState(page) {
  return page.evaluate(() => {
    const q = (sel) => [...document.querySelectorAll(sel)];
    const ladders = q('.output_area svg');
    const perLadder = ladders.map((svg) => {
      const segs = [...svg.querySelectorAll('line.segment')];
      const flags = { SYN: 0, FIN: 0, RST: 0 };
      for (const s of segs) {
        let t = s.previousElementSibling;
        while (t && t.tagName.toLowerCase() !== 'text') t = t.previousElementSibling;
        const txt = t ? t.textContent : '';
        for (const f of Object.keys(flags)) if (new RegExp(`\\b${f}\\b`).test(txt)) flags[f]++;
      }
      return { packets: segs.length, flags };
    });
    const errors = q('.output_area .output_error, .output_area .output_stderr').map((e) => e.textContent.trim().split('\n')[0]);
    return { tables: q('.output_area table').length, ladders: perLadder, errors };
  });
}

async function waitIdle(page, cellIndex, seconds) { // the cell's prompt is no longer [*]
  return page.waitForFunction((i) => {
    const c = Jupyter.notebook.get_cell(i);
    return c && c.input_prompt_number !== '*';
  }, cellIndex, { timeout: seconds * 1000, polling: 50 }).then(() => true, () => false);
}

async function cellText(page, i) {
  return page.evaluate((i) => {
    const c = Jupyter.notebook.get_cell(i);
    const plain = (t) => String(t).replace(/\x1b\[[0-9;]*m/g, ''); // as shown: no ANSI colours
    return c.output_area.outputs.map((o) => o.text || (o.data && o.data['text/plain'])
      || (o.traceback && o.traceback.length ? plain(o.traceback.join('\n')) : '')
      || (o.ename ? `${o.ename}: ${o.evalue}` : '') || '').join('\n').trim();
  }, i);
}

// Start cell i (or a new cell with `source`), click the stop button after `after` ms, require the cell
// to end within INTERRUPT_LIMIT s with a short message, then `1 + 1` must show 2.
async function interruptCheck(page, what, source, findSource) {
  let i = await page.evaluate(([src, find]) => {
    const nb = Jupyter.notebook;
    if (find) {
      const idx = nb.get_cells().findIndex((c) => c.cell_type === 'code' && new RegExp(find).test(c.get_text()));
      if (idx >= 0) return idx;
      if (!src) return -1;
    }
    const c = nb.insert_cell_at_bottom('code');
    c.set_text(src);
    return nb.ncells() - 1;
  }, [source, findSource]);
  if (i < 0) return `interrupt (${what}): no such cell`;
  await page.evaluate((i) => { Jupyter.notebook.select(i); Jupyter.notebook.get_cell(i).execute(); }, i);
  await sleep(1500);
  if (await page.evaluate((i) => Jupyter.notebook.get_cell(i).input_prompt_number !== '*', i)) {
    return `interrupt (${what}): the cell ended within 1.5 s by itself, nothing to interrupt`;
  }
  const t0 = Date.now();
  await page.click('button[data-jupyter-action="jupyter-notebook:interrupt-kernel"]');
  const ended = await waitIdle(page, i, INTERRUPT_LIMIT);
  const took = secs(t0);
  const message = await cellText(page, i);
  const lines = message.split('\n').filter((l) => l.trim());
  const problems = [];
  if (!ended) {
    const later = await waitIdle(page, i, 3);
    problems.push(`interrupt (${what}): the cell was still running ${INTERRUPT_LIMIT} s after the stop button`
      + (later ? ` (ended after ${secs(t0).toFixed(1)} s)` : ` (still [*] after ${secs(t0).toFixed(1)} s)`));
  } else if (!lines.length) {
    problems.push(`interrupt (${what}): the cell ended after ${took.toFixed(2)} s without a message`);
  } else if (lines.length > 3) {
    problems.push(`interrupt (${what}): ${lines.length} lines instead of a short message: ${lines[0].slice(0, 100)}`);
  }
  const j = await page.evaluate(() => {
    const nb = Jupyter.notebook;
    const c = nb.insert_cell_at_bottom('code');
    c.set_text('1 + 1');
    nb.select(nb.ncells() - 1);
    c.execute();
    return nb.ncells() - 1;
  });
  const answered = await page.waitForFunction((j) => {
    const c = Jupyter.notebook.get_cell(j);
    return c.input_prompt_number !== '*' && c.output_area.outputs.length > 0;
  }, j, { timeout: 10000, polling: 50 }).then(() => true, () => false);
  const two = answered ? await cellText(page, j) : '';
  if (two !== '2') problems.push(`interrupt (${what}): then \`1 + 1\` showed ${answered ? JSON.stringify(two.slice(0, 80)) : 'nothing within 10 s'}`);
  const summary = `interrupt ${what}: ${ended ? `ended in ${took.toFixed(2)} s` : 'did not end'}`
    + `${lines.length ? ` "${lines[0].slice(0, 60)}"` : ''}, 1+1 ${two === '2' ? 'ok' : 'failed'}`;
  return { problems, summary, ok: !problems.length };
}

async function runNotebook(ctx, base, token, name, expectPackets, state, res) {
  const { problems } = res;
  res.stage = 'opening the notebook';
  // kernel ready: kernel_info answered (Notebook 6 then sets the indicator to idle) and connected
  const readyFn = () => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel
    && Jupyter.notebook.kernel.is_connected() && Object.keys(Jupyter.notebook.kernel.info_reply || {}).length > 0
    && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
  let page = null;
  const opens = [];
  for (let open = 1; open <= KERNEL_OPENS; open++) {
    if (page) { // a kernel that did not answer: close the page, end its session, open the notebook again
      await page.close().catch(() => {});
      await stopKernels(base, token);
    }
    page = await ctx.newPage();
    state.page = page;
    const t0 = Date.now();
    await page.goto(`${base}/notebooks/${name.split('/').map(encodeURIComponent).join('/')}?token=${token}`, { timeout: 30000 });
    const shown = await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.get_cells().length > 0,
      null, { timeout: KERNEL_READY_WAIT * 1000, polling: 50 }).then(() => secs(t0), () => null);
    const session = await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel
      && Jupyter.notebook.kernel.id, null, { timeout: KERNEL_READY_WAIT * 1000, polling: 50 }).then(() => secs(t0), () => null);
    const left = Math.max(1000, KERNEL_READY_WAIT * 1000 - (Date.now() - t0));
    const ready = await page.waitForFunction(readyFn, null, { timeout: left, polling: 50 }).then(() => secs(t0), () => null);
    opens.push({ shown, session, ready });
    if (ready !== null) break;
  }
  const first = opens[0];
  const at = (t) => (t === null ? 'never' : `after ${t.toFixed(1)} s`);
  const parts = (o) => `page shown ${at(o.shown)}, kernel started ${at(o.session)}`;
  res.ready = first.ready === null ? null : first.ready - (first.session ?? 0);
  res.pageReady = first.ready;
  res.readyNote = opens.length > 1 ? `, ${opens.length} opens` : '';
  const last = opens[opens.length - 1];
  if (first.ready === null) {
    problems.push(`kernel not ready within ${KERNEL_READY_WAIT} s of opening the page (${parts(first)})`
      + (last.ready !== null ? `; reopened: ready after ${last.ready.toFixed(1)} s on open ${opens.length}` : `; not on ${opens.length} opens`));
  } else if (first.ready - (first.session ?? 0) > KERNEL_READY_LIMIT) { // the kernel's own start, not the page's load
    problems.push(`kernel ready only ${(first.ready - (first.session ?? 0)).toFixed(1)} s after it started (limit `
      + `${KERNEL_READY_LIMIT} s; ${parts(first)}, ready after ${first.ready.toFixed(1)} s)`);
  }
  if (last.ready === null) return res;
  // Cell > Run All, through the menu
  res.stage = 'Cell > Run All';
  const tRun = Date.now();
  await page.click('#celllink');
  await page.click('#run_all_cells');
  const started = await page.waitForFunction(() => Jupyter.notebook.get_cells()
    .some((c) => c.cell_type === 'code' && c.input_prompt_number === '*'), null, { timeout: 5000, polling: 50 })
    .then(() => true, () => false);
  if (!started) problems.push('Cell > Run All did not start any cell');
  await page.waitForFunction(() => Jupyter.notebook.get_cells()
    .every((c) => c.cell_type !== 'code' || c.input_prompt_number !== '*'), null, { timeout: 0, polling: 250 });
  res.run = secs(tRun);
  const notRun = await page.evaluate(() => Jupyter.notebook.get_cells()
    .filter((c) => c.cell_type === 'code' && c.get_text().trim() && typeof c.input_prompt_number !== 'number').length);
  if (notRun) problems.push(`${notRun} code cells not executed (aborted after an error?)`);
  const st = await pageState(page);
  res.tables = st.tables;
  res.ladders = st.ladders.length;
  res.packets = st.ladders.reduce((n, l) => n + l.packets, 0);
  res.flags = st.ladders.reduce((f, l) => { for (const k of Object.keys(l.flags)) f[k] = (f[k] || 0) + l.flags[k]; return f; }, {});
  if (st.errors.length) problems.push(`${st.errors.length} error outputs, first: ${st.errors[0].slice(0, 160)}`);
  const bare = st.ladders.filter((l) => l.packets === 0).length;
  if (expectPackets && bare) problems.push(`${bare} of ${st.ladders.length} ladders without packets (user namespaces are available to ${USER})`);
  if (name.startsWith('zh/')) { // the Chinese edition: a calls table's header renders in Chinese
    const heads = await page.evaluate(() => [...document.querySelectorAll('.output_area table th')].map((th) => th.textContent.trim()));
    if (heads.includes(ZH_HEADER)) res.notes.push(`table header ${ZH_HEADER} rendered`);
    else problems.push(`no table header ${ZH_HEADER} in the Chinese notebook (headers seen: ${[...new Set(heads)].slice(0, 8).join(', ') || 'none'})`);
  }
  const file = name.replace(/\//g, '-');
  const shot = path.join(OUT, file.replace(/\.ipynb$/, '.png'));
  await fullPage(page, shot);
  res.shots = [shot];
  if (st.ladders.length) {
    const ladder = page.locator('.output_area svg').first();
    await ladder.scrollIntoViewIfNeeded();
    const lshot = path.join(OUT, file.replace(/\.ipynb$/, '-ladder.png'));
    await ladder.screenshot({ path: lshot, timeout: 30000 });
    res.shots.push(lshot);
  }
  if (/^03-/.test(name)) {
    res.stage = 'the interrupt check';
    const sweep = await interruptCheck(page, 'sweep', 'Thread.sleep(30000);', '\\.sweep\\(');
    if (typeof sweep === 'string') problems.push(sweep);
    else {
      problems.push(...sweep.problems);
      res.notes.push(sweep.summary);
      if (sweep.ok) {
        const nap = await interruptCheck(page, 'sleep', 'Thread.sleep(30000);', null);
        if (typeof nap === 'string') problems.push(nap);
        else { problems.push(...nap.problems); res.notes.push(nap.summary); }
      } else res.notes.push('interrupt sleep: not tried (the kernel did not survive the first)');
    }
    const ishot = path.join(OUT, name.replace(/\.ipynb$/, '-interrupt.png'));
    await page.evaluate(() => Jupyter.notebook.scroll_to_bottom()).catch(() => {});
    await page.screenshot({ path: ishot, fullPage: false, timeout: 30000 }).catch(() => {});
    res.shots.push(ishot);
  }
  return res;
}

// Notebook 6 scrolls inside #site, not the page: let the page grow for a full-page screenshot.
async function fullPage(page, file) {
  const style = await page.addStyleTag({ content: 'html, body { height: auto !important; overflow: visible !important; }'
    + ' #site { height: auto !important; overflow: visible !important; display: block !important; }' });
  try {
    await page.screenshot({ path: file, fullPage: true, timeout: 30000 });
  } finally {
    await style.evaluate((el) => el.remove());
  }
}

async function stopKernels(base, token) { // as closing the notebook does: delete every session
  try {
    const r = await fetchWithin(`${base}/api/sessions?token=${token}`, {}, 5);
    const sessions = await r.json();
    await Promise.all(sessions.map((s) => fetchWithin(`${base}/api/sessions/${s.id}?token=${token}`, { method: 'DELETE' }, 10).catch(() => {})));
    const end = Date.now() + 10000;
    while (Date.now() < end) {
      const k = await (await fetchWithin(`${base}/api/kernels?token=${token}`, {}, 5)).json();
      if (!k.length) return true;
      await sleep(200);
    }
  } catch (e) { /* the server is gone or stuck: the processes are killed below */ }
  return false;
}

// --- main --------------------------------------------------------------------------------------------
(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  const notebooks = (args.notebooks.length ? args.notebooks.map((n) => (n.startsWith('zh/') ? n : path.basename(n)))
    : fs.readdirSync(path.join(DIR, 'notebooks')).filter((n) => /^\d\d-.*\.ipynb$/.test(n))).sort();
  if (!args.notebooks.length && fs.existsSync(path.join(DIR, 'notebooks', ZH_NOTEBOOK))) notebooks.push(ZH_NOTEBOOK);
  const results = [];
  const record = (ok) => { if (args.record) fs.appendFileSync(args.record, ok ? '1\n' : '0\n'); };
  const asUser = (cmd) => (IS_ROOT ? ['runuser', '-u', USER, '--', ...cmd] : cmd);
  const home = IS_ROOT ? spawnSync('getent', ['passwd', USER], { encoding: 'utf8' }).stdout.split(':')[5] : os.homedir();
  // user namespaces for this user decide whether ladders must carry packets
  let expectPackets;
  if (EXPECT_PACKETS === 'yes') expectPackets = true;
  else if (EXPECT_PACKETS === 'no') expectPackets = false;
  else {
    const u = spawnSync(asUser(['unshare', '-rn', 'true'])[0], asUser(['unshare', '-rn', 'true']).slice(1), { timeout: 10000 });
    expectPackets = u.status === 0;
  }
  log(`[tcplab] browser: every notebook in headless Chromium, served as ${USER} (Notebook, token, 127.0.0.1);`
    + ` user namespaces for ${USER}: ${EXPECT_PACKETS === 'auto' ? (expectPackets ? 'yes' : 'no') : `not asked (EXPECT_PACKETS=${EXPECT_PACKETS})`},`
    + ` ladders ${expectPackets ? 'must' : 'need not'} show packets`);

  // the server: the command of `make lab` (tools/lab.sh lab), as the user, in the private copy
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  const env = ['PATH=' + process.env.PATH, `HOME=${home}`, 'LANG=C.UTF-8', `JUPYTER_PATH=${path.join(DIR, 'build', 'jupyter')}`, MARK];
  if (args['java-home']) env.push(`JAVA_HOME=${args['java-home']}`);
  const serverCmd = asUser(['env', '-i', ...env, args.python, '-m', 'notebook', '--no-browser', '--ip=127.0.0.1',
    `--port=${port}`, '--port-retries=0', `--NotebookApp.token=${token}`, `--notebook-dir=${path.join(DIR, 'notebooks')}`]);
  const serverLog = fs.openSync(path.join(OUT, 'server.log'), 'w');
  const server = spawn(serverCmd[0], serverCmd.slice(1), { cwd: DIR, stdio: ['ignore', serverLog, serverLog], detached: true });
  const base = `http://127.0.0.1:${port}`;
  // Chromium's fresh profile: in --profile (an empty folder the caller removes, also if this is killed)
  const profile = fs.mkdtempSync(path.join(args.profile || os.tmpdir(), 'tcplab-chromium-'));
  let ctx = null;
  const state = { page: null };
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return [];
    cleaned = true;
    if (ctx) await Promise.race([ctx.close().catch(() => {}), sleep(10000)]);
    await stopKernels(base, token);
    try { process.kill(-server.pid, 'SIGTERM'); } catch (e) { /* gone */ }
    const end = Date.now() + 10000;
    while (Date.now() < end && (ours(server.pid, false).length || chromiumOf(profile).length)) await sleep(200);
    const left = [...ours(server.pid, false), ...chromiumOf(profile)];
    killAll(left, 'SIGKILL');
    try { process.kill(-server.pid, 'SIGKILL'); } catch (e) { /* gone */ }
    await sleep(500);
    fs.rmSync(profile, { recursive: true, force: true });
    return left;
  };
  const watchdog = setTimeout(async () => {
    log(`FAIL browser: the whole phase passed its deadline (${BROWSER_DEADLINE + 60} s); everything is killed`);
    await cleanup();
    record(false);
    process.exit(1);
  }, (BROWSER_DEADLINE + 60) * 1000);
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, async () => { await cleanup(); process.exit(1); });

  let serverUp = false;
  const upBy = Date.now() + 60000;
  while (Date.now() < upBy && server.exitCode === null) {
    try { if ((await fetchWithin(`${base}/api/status?token=${token}`, {}, 2)).ok) { serverUp = true; break; } } catch (e) { /* not yet */ }
    await sleep(250);
  }
  if (!serverUp) {
    log(`FAIL browser: the notebook server (as ${USER}) did not answer within 60 s; see ${path.join(OUT, 'server.log')}`);
    for (const n of notebooks) { results.push({ name: n, problems: ['not run: no server'] }); }
  } else {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      env: { ...process.env, TCPLAB_BROWSER_CHROMIUM: RUN_ID },
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    // as a student starts: the URL `make lab` prints (the file list), then a notebook from it
    const tree = await ctx.newPage();
    const tTree = Date.now();
    const listed = await tree.goto(`${base}/tree?token=${token}`, { timeout: 30000 })
      .then(() => tree.waitForFunction((names) => names.every((n) => [...document.querySelectorAll('#notebook_list a.item_link')]
        .some((a) => a.textContent.trim() === n)), notebooks.filter((n) => !n.includes('/')), { timeout: 20000, polling: 100 }))
      .then(() => true, () => false);
    log(`     the file list (/tree) ${listed ? `showed every notebook after ${secs(tTree).toFixed(1)} s` : 'did not show every notebook within 20 s'}`);
    await tree.close().catch(() => {});
    for (const name of notebooks) {
      const remaining = BROWSER_DEADLINE - secs(started);
      const t0 = Date.now();
      if (remaining < 10) {
        const r = { name, problems: [`not run: the browser phase's deadline (${BROWSER_DEADLINE} s) passed`], wall: 0 };
        results.push(r); report(r); continue;
      }
      const limit = Math.min(NOTEBOOK_DEADLINE, remaining);
      let timer;
      const r = { name, problems: [], notes: [], ready: null };
      await Promise.race([
        runNotebook(ctx, base, token, name, expectPackets, state, r).catch((e) => { if (!r.timedOut) r.problems.push(String(e.message || e).split('\n')[0]); }),
        new Promise((resolve) => {
          timer = setTimeout(() => {
            r.timedOut = true; // a new list: what the abandoned run still finds is not reported
            r.problems = [...r.problems, `passed its deadline of ${limit.toFixed(0)} s during ${r.stage}; page closed, kernel killed`];
            resolve();
          }, limit * 1000);
        }),
      ]);
      clearTimeout(timer);
      r.wall = secs(t0);
      if (state.page) await Promise.race([state.page.close().catch(() => {}), sleep(5000)]);
      state.page = null;
      const stopped = await stopKernels(base, token);
      // a kernel's children (the private host and its peers) end when they see the kernel gone: allow them 5 s
      let stray = ours(server.pid, true);
      for (const end = Date.now() + 5000; stray.length && Date.now() < end; stray = ours(server.pid, true)) await sleep(200);
      if (stray.length) { // a kernel that did not stop, or its children: killed, and counted against the notebook
        killAll(stray, 'SIGKILL');
        if (!r.timedOut) r.problems.push(`${stray.length} processes left after the notebook closed (killed): ${stray.map((p) => p.cmd.slice(0, 60)).join('; ')}`);
      } else if (!stopped) r.problems.push('its kernel did not stop within 10 s of closing the session');
      results.push(r);
      report(r);
    }
  }
  const left = await cleanup();
  clearTimeout(watchdog);
  const strays = procs().filter((p) => p.marked || p.chrome || p.cmd.includes(profile));
  const cleanOk = !left.length && !strays.length;
  if (!cleanOk || left.length) {
    log(`FAIL browser clean-up: ${left.length} processes had to be killed after the server stopped${left.length ? `: ${left.map((p) => `${p.pid} ${p.cmd.slice(0, 60)}`).join('; ')}` : ''}`
      + (strays.length ? `; ${strays.length} still alive` : ''));
  } else {
    log(`ok   browser clean-up: server and kernels stopped, no process of this run and no Chromium left`);
  }
  const others = IS_ROOT ? procs().filter((p) => p.uid === Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim())) : [];
  if (others.length) log(`     note: ${others.length} other processes of ${USER} are running, not started by this run: ${others.map((p) => `${p.pid} ${p.cmd.slice(0, 50)}`).join('; ')}`);
  const passed = results.filter((r) => !r.problems.length).length + (cleanOk ? 1 : 0);
  const failed = results.length + 1 - passed;
  for (const r of results) record(!r.problems.length);
  record(cleanOk);
  log(`[tcplab] browser: ${passed} passed, ${failed} failed in ${secs(started).toFixed(0)} s; screenshots in ${OUT}`);
  process.exit(failed ? 1 : 0);

  function report(r) {
    const ok = !r.problems.length;
    const ready = (r.ready == null ? 'kernel not ready' : `kernel ready ${r.ready.toFixed(1)} s after its start, page ${(r.pageReady || 0).toFixed(1)} s`) + (r.readyNote || '');
    const flags = r.flags ? Object.entries(r.flags).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(' ') : '';
    const counts = r.tables === undefined ? '' : `, ${r.tables} tables, ${r.ladders} ladders, ${r.packets} packets${flags ? ` (${flags})` : ''}`;
    const notes = r.notes && r.notes.length ? `; ${r.notes.join('; ')}` : '';
    log(`${(ok ? 'ok' : 'FAIL').padEnd(4)} ${r.name} ${label}  ${(r.wall || 0).toFixed(1).padStart(5)} s  (${ready}`
      + `${r.run !== undefined ? `, ran in ${r.run.toFixed(1)} s` : ''}${counts}${notes})`);
    for (const p of r.problems) log(`     - ${p}`);
  }
})().catch((e) => { console.error(`FAIL browser: ${e.stack || e}`); process.exit(1); });
