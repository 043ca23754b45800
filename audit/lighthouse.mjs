// Lighthouse on one page, as a signed-in user when cookies are given: the audit's runner.
//
// Lighthouse's CLI can send a Cookie header (--extra-headers), but the browser's own cookie
// jar wins for the page's scripts and styles once the page sets a cookie, so an admin page's
// scripts were fetched signed out. Here the cookies go into the browser first (Lighthouse's
// recipe for pages behind a sign-in: puppeteer, then lighthouse(url, flags, config, page)).
//
// node audit/lighthouse.mjs URL OUT_BASE mobile|desktop [COOKIES.json] [CHROME_FLAGS]
// writes OUT_BASE.report.json and OUT_BASE.report.html.
import fs from 'node:fs';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import puppeteer from 'puppeteer-core';

const [url, outBase, preset, cookiesFile, chromeFlags = '--headless'] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({ chromeFlags: chromeFlags.split(' ') });
try {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  const page = await browser.newPage();
  if (cookiesFile) {
    await page.setCookie(...JSON.parse(fs.readFileSync(cookiesFile, 'utf8')));
  }
  const flags = {
    port: chrome.port,
    output: ['json', 'html'],
    onlyCategories: ['performance', 'accessibility', 'best-practices'],
    logLevel: 'error',
  };
  const result = await lighthouse(url, flags, preset === 'desktop' ? desktopConfig : undefined, page);
  const [json, html] = result.report;
  fs.writeFileSync(`${outBase}.report.json`, json);
  fs.writeFileSync(`${outBase}.report.html`, html);
  await browser.disconnect();
} finally {
  await chrome.kill();
}
