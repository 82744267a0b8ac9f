import assert from 'node:assert/strict';
import { resolveVariables, type VariableValues } from '../../../src/core/taskVariables';
import { buildCommandLine } from '../../../src/core/shellCommandLine';

const values: VariableValues = {
  workspaceFolder: '/work/app',
  folders: { app: '/work/app', lib: '/work/lib' },
  cwd: '/home/me',
  env: { HOME: '/home/me' },
  userHome: '/home/me',
  pathSeparator: '/',
};

describe('task variables', () => {
  it('substitutes folder, cwd, env and path variables', () => {
    const { text, unresolved } = resolveVariables(
      '${workspaceFolder}/out ${workspaceFolderBasename} ${workspaceFolder:lib} ${cwd} ${env:HOME}${pathSeparator}x ${userHome}',
      values,
    );
    assert.equal(text, '/work/app/out app /work/lib /home/me /home/me/x /home/me');
    assert.deepEqual(unresolved, []);
  });

  it('turns an unset environment variable into nothing, as VS Code does', () => {
    assert.equal(resolveVariables('[${env:NOT_SET}]', values).text, '[]');
  });

  it('leaves what only the editor knows as written and reports it', () => {
    const { text, unresolved } = resolveVariables('${input:target} ${file} ${config:editor.tabSize} ${workspaceFolder:docs}', values);
    assert.equal(text, '${input:target} ${file} ${config:editor.tabSize} ${workspaceFolder:docs}');
    assert.deepEqual(unresolved, ['${input:target}', '${file}', '${config:editor.tabSize}', '${workspaceFolder:docs}']);
  });

  it('has no workspace folder for a task outside any folder', () => {
    assert.deepEqual(resolveVariables('${workspaceFolder}', { ...values, workspaceFolder: undefined }).unresolved, ['${workspaceFolder}']);
  });
});

describe('shell command lines', () => {
  it('quotes plain arguments only when they hold whitespace', () => {
    assert.equal(buildCommandLine('npm', ['run', 'test', '--', '--grep', 'two words', '$HOME', ''], 'posix'), "npm run test -- --grep 'two words' $HOME ''");
  });

  it('passes arguments that are already quoted, or whose spaces are, as written', () => {
    assert.equal(
      buildCommandLine('printf', ["'%s\\n'", '"a b"', 'a\\ b', "--name='x y'", '%s\\n'], 'posix'),
      "printf '%s\\n' \"a b\" a\\ b --name='x y' %s\\n",
    );
    assert.equal(buildCommandLine('echo', ['"C:\\a b"', 'x^ y'], 'cmd'), 'echo "C:\\a b" x^ y');
  });

  it('honours explicit quoting styles', () => {
    const line = buildCommandLine(
      { value: 'my tool', quoting: 'escape' },
      [
        { value: "it's $HOME", quoting: 'strong' },
        { value: 'say "hi" $HOME', quoting: 'weak' },
      ],
      'posix',
    );
    assert.equal(line, `my\\ tool 'it'\\''s $HOME' "say \\"hi\\" $HOME"`);
  });

  it('quotes for cmd.exe with double quotes and carets', () => {
    assert.equal(buildCommandLine('dir', ['C:\\Program Files', { value: 'a&b', quoting: 'escape' }], 'cmd'), 'dir "C:\\Program Files" a^&b');
  });
});
