import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordTrials } from './tally';

/** Every way a page can turn a string into markup or code. */
const SINKS = /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(|\.srcdoc\s*=|createContextualFragment|DOMParser/;

describe('reliability: the detail page turns no task text into markup or code', () => {
  it('the webview sources use no HTML or code sinks: task text only ever becomes text nodes', () => {
    const dir = path.join(process.cwd(), 'media');
    const files = fs.readdirSync(dir).filter((name) => name.endsWith('.ts'));
    assert.ok(files.length >= 3, 'the webview sources are where they should be');
    let lines = 0;
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
      lines += text.length;
      text.forEach((line, i) => assert.ok(!SINKS.test(line), `${file}:${i + 1} turns a string into markup or code: ${line.trim()}`));
    }
    recordTrials(
      'hostile',
      'Webview: HTML or code sinks in the page source (static check of media/*.ts)',
      files.length,
      `${files.length} files, ${lines} lines: none`,
    );
  });
});
