import assert from 'node:assert/strict';
import { chooseTestTask, findTaskByLabel, taskLabel, taskOffers, type TaskChoice, type WorkspaceTaskInfo } from '../../../src/core/workspaceTaskChoice';

const app = { name: 'app', path: '/work/app' };
const lib = { name: 'lib', path: '/work/lib' };

function task(name: string, extra: Partial<WorkspaceTaskInfo> = {}): WorkspaceTaskInfo {
  return { name, source: 'Workspace', folder: app, ...extra };
}

function chosen(choice: TaskChoice<WorkspaceTaskInfo>): WorkspaceTaskInfo {
  assert.ok('task' in choice, 'error' in choice ? choice.error : 'no choice');
  return choice.task;
}

function failure(choice: TaskChoice<WorkspaceTaskInfo>): string {
  assert.ok('error' in choice, `expected an error, got ${JSON.stringify(choice)}`);
  return choice.error;
}

describe('choosing a workspace task', () => {
  const build = task('build', { group: { kind: 'build', isDefault: true } });
  const npmTest = task('test', { source: 'npm', group: { kind: 'test', isDefault: false } });
  const unit = task('unit', { group: { kind: 'test', isDefault: false } });

  it('labels tasks the way Run Task does', () => {
    assert.equal(taskLabel(build), 'build');
    assert.equal(taskLabel(npmTest), 'npm: test');
  });

  it('finds a task by its label or its source-qualified name', () => {
    assert.equal(chosen(findTaskByLabel([build, npmTest], 'build')), build);
    assert.equal(chosen(findTaskByLabel([build, npmTest], 'npm: test')), npmTest);
    assert.equal(chosen(findTaskByLabel([build, npmTest], 'Workspace: build')), build);
    assert.equal(chosen(findTaskByLabel([build, npmTest], 'test')), npmTest, 'a bare name finds a provided task');
  });

  it('prefers the exact label over a provided task of the same name', () => {
    const configured = task('test');
    assert.equal(chosen(findTaskByLabel([npmTest, configured], 'test')), configured);
  });

  it('lists the available labels when nothing matches', () => {
    assert.equal(failure(findTaskByLabel([npmTest, build], 'deploy')), 'No task labelled "deploy". Available tasks: "build", "npm: test".');
    assert.equal(failure(findTaskByLabel([], 'deploy')), 'No task labelled "deploy". There are no tasks.');
  });

  it('tells same-named tasks of two folders apart by folder name or path', () => {
    const appBuild = task('build');
    const libBuild = task('build', { folder: lib });
    assert.match(
      failure(findTaskByLabel([appBuild, libBuild], 'build')),
      /Several tasks are labelled "build": "build" \(folder app\), "build" \(folder lib\)\. Name the folder/,
    );
    assert.equal(chosen(findTaskByLabel([appBuild, libBuild], 'build', 'lib')), libBuild);
    assert.equal(chosen(findTaskByLabel([appBuild, libBuild], 'build', '/work/app')), appBuild);
    assert.match(failure(findTaskByLabel([appBuild, libBuild], 'build', 'docs')), /No task labelled "build" in folder "docs"\. There are no tasks\./);
  });

  it('runs the default test task', () => {
    const defaultTest = task('all tests', { group: { kind: 'test', isDefault: true } });
    assert.equal(chosen(chooseTestTask([build, unit, defaultTest, npmTest])), defaultTest);
  });

  it('falls back to the only test task', () => {
    assert.equal(chosen(chooseTestTask([build, unit])), unit);
  });

  it('refuses to guess between several test tasks', () => {
    assert.equal(
      failure(chooseTestTask([build, unit, npmTest])),
      'Several test tasks and none is the default: "unit" (folder app), "npm: test" (folder app). Pass a label, or mark one "isDefault" in tasks.json.',
    );
  });

  it('says how to declare a test task when there is none', () => {
    assert.match(
      failure(chooseTestTask([build])),
      /^No test task: add "group": \{ "kind": "test", "isDefault": true \} to a task in tasks\.json, or pass a label\. Available tasks: "build"\.$/,
    );
  });

  it('narrows several default test tasks by folder', () => {
    const appTest = task('test', { group: { kind: 'test', isDefault: true } });
    const libTest = task('test', { folder: lib, group: { kind: 'test', isDefault: true } });
    assert.match(failure(chooseTestTask([appTest, libTest])), /Several default test tasks/);
    assert.equal(chosen(chooseTestTask([appTest, libTest], 'lib')), libTest);
  });

  it('offers every task for run_vscode_task and the test group for run_tests, the default test task first', () => {
    const tasks = [
      task('lint'),
      task('unit', { group: { kind: 'test', isDefault: false } }),
      task('build', { source: 'npm', folder: undefined }),
      task('all tests', { folder: lib, group: { kind: 'test', isDefault: true } }),
    ];
    assert.deepEqual(
      taskOffers(tasks, { testsOnly: false }).map((offer) => [offer.label, offer.description]),
      [
        ['all tests', 'default test task · folder lib'],
        ['lint', 'folder app'],
        ['npm: build', ''],
        ['unit', 'test task · folder app'],
      ],
    );
    assert.deepEqual(
      taskOffers(tasks, { testsOnly: true }).map((offer) => offer.label),
      ['all tests', 'unit'],
    );
    assert.deepEqual(taskOffers([task('lint')], { testsOnly: true }), []);
  });
});
