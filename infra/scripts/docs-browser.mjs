// The API documentation in a real browser (Debian's chromium, driven by playwright-core):
// against a running stack, loads /docs and /redoc headless, records every request the pages
// make and fails if one goes to a host other than 127.0.0.1, checks that both pages rendered,
// saves a screenshot of each, and does what a reader would: registers and logs in a user, pastes
// the token into Swagger UI's Authorize dialog, runs GET /users/me with "Try it out" and expects
// the 200 shown on the page.
//
// usage: node infra/scripts/docs-browser.mjs [base URL] [screenshot directory]
//   base URL               default $CHAT_API_URL, else http://127.0.0.1:8000
//   screenshot directory   default docs/screenshots
// CHROMIUM overrides the browser (default /usr/bin/chromium).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = (process.argv[2] ?? process.env.CHAT_API_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
const shots = process.argv[3] ?? 'docs/screenshots';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Generous for a loaded 2-core machine: these bound waits, they measure nothing.
const TIMEOUT_MS = 60_000;

const failures = [];
const fail = (message) => {
  failures.push(message);
  console.error(`FAIL ${message}`);
};
const pass = (message) => console.log(`ok   ${message}`);

/// A request stays on this machine when it names no host (data:, blob:) or 127.0.0.1.
function isLocal(url) {
  const parsed = new URL(url);
  return ['data:', 'blob:'].includes(parsed.protocol) || parsed.hostname === '127.0.0.1';
}

async function api(method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

async function loggedInUser() {
  const username = `docs_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const password = 'docs browser check';
  await api('POST', '/users/register', { username, email: `${username}@example.com`, password });
  const { access_token: token } = await api('POST', '/users/login', { username, password });
  return { username, token };
}

/// A page whose every request is recorded; requests to other hosts are recorded, then aborted,
/// so that nothing leaves the machine even when the check fails.
async function recordedPage(browser, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const requests = [];
  await context.route('**/*', (route) =>
    isLocal(route.request().url()) ? route.continue() : route.abort(),
  );
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => fail(`${name}: script error ${error.message}`));
  // An attempt the page's Content-Security-Policy refused never becomes a request: the
  // browser reports it here, and it counts as a request to another host.
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text().slice(0, 300);
    if (text.includes('Content Security Policy')) fail(`${name}: refused by the page's policy: ${text}`);
    else console.log(`     ${name} console: ${text}`);
  });
  return { page, requests, context };
}

function checkRequests(name, requests) {
  const foreign = requests.filter((url) => !isLocal(url));
  if (requests.length === 0) fail(`${name}: no request was recorded`);
  else if (foreign.length > 0) fail(`${name}: requests to other hosts: ${foreign.join(', ')}`);
  else pass(`${name}: all ${requests.length} requests went to 127.0.0.1`);
}

/// Runs `steps` on a recorded page; the requests are checked whether the steps passed or not.
async function onPage(browser, name, screenshot, fullPage, steps) {
  const { page, requests, context } = await recordedPage(browser, name);
  try {
    await steps(page);
  } catch (error) {
    fail(`${name}: ${error.message.split('\n')[0]}`);
  } finally {
    await page.screenshot({ path: join(shots, screenshot), fullPage }).catch(() => {});
    checkRequests(name, requests);
    await context.close();
  }
}

async function swaggerUi(page, user) {
  await page.goto(`${base}/docs`);
  const operations = page.locator('.opblock');
  await operations.first().waitFor({ state: 'visible' }).catch((error) => {
    throw new Error(`Swagger UI listed no operation (${error.message.split('\n')[0]})`);
  });
  pass(`/docs: Swagger UI lists ${await operations.count()} operations`);

  // Authorize with the token from POST /users/login, as a reader would.
  await page.locator('.auth-wrapper .authorize').click();
  const dialog = page.locator('.dialog-ux');
  await dialog.locator('input').first().fill(user.token);
  await dialog.locator('.auth-btn-wrapper .authorize').click();
  await dialog.locator('.auth-btn-wrapper .btn-done').click();

  const getMe = page.locator('.opblock-get', { hasText: '/users/me' }).first();
  await getMe.locator('.opblock-summary').click();
  await getMe.getByRole('button', { name: 'Try it out' }).click();
  await getMe.getByRole('button', { name: 'Execute' }).click();
  const status = getMe.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor({ state: 'visible' });
  const shown = (await status.innerText()).trim();
  const body = await getMe.locator('.live-responses-table tbody .response-col_description').first().innerText();
  if (shown.startsWith('200') && body.includes(user.username)) {
    pass(`/docs: Try it out GET /users/me with the login token shows ${shown} for ${user.username}`);
  } else {
    fail(`/docs: Try it out GET /users/me shows ${shown}: ${body.slice(0, 300)}`);
  }
}

async function redoc(page) {
  await page.goto(`${base}/redoc`);
  const title = page.locator('h1').first();
  await title.waitFor({ state: 'visible' });
  const text = (await title.innerText()).trim();
  const operations = await page.locator('[data-section-id^="operation/"]').count();
  if (text.startsWith('Chat API') && operations > 0) {
    pass(`/redoc: ReDoc shows "${text}" and ${operations} operations`);
  } else {
    fail(`/redoc: ReDoc shows title "${text}" and ${operations} operations`);
  }
  // ReDoc keeps loading after its title: let it settle so that late requests are recorded.
  await page.waitForLoadState('networkidle');
}

await mkdir(shots, { recursive: true });
const user = await loggedInUser();
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
try {
  const checks = [
    () => onPage(browser, '/docs', 'docs.png', true, (page) => swaggerUi(page, user)),
    () => onPage(browser, '/redoc', 'redoc.png', false, redoc),
  ];
  for (const check of checks) await check();
} finally {
  await browser.close();
}
console.log(`docs browser check against ${base}: ${failures.length === 0 ? 'passed' : `${failures.length} failed`}; screenshots in ${shots}`);
process.exit(failures.length === 0 ? 0 : 1);
