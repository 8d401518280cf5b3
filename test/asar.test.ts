import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asarUnpackedPath, isAsarPath } from 'celerity';

await test('isAsarPath finds an app.asar segment with either separator', () => {
  assert.equal(isAsarPath('/opt/App/resources/app.asar/dist/worker.js'), true);
  assert.equal(isAsarPath('C:\\App\\resources\\app.asar\\dist\\worker.js'), true);
  assert.equal(isAsarPath('file:///opt/App/resources/app.asar/tasks.js'), true);
  assert.equal(isAsarPath('/opt/App/resources/app.asar'), true);
  assert.equal(isAsarPath('/opt/App/resources/app.asar.unpacked/dist/worker.js'), false);
  assert.equal(isAsarPath('/opt/App/resources/myapp.asar/dist/worker.js'), false);
  assert.equal(isAsarPath('/opt/App/dist/worker.js'), false);
});

await test('asarUnpackedPath points into app.asar.unpacked, and leaves other paths alone', () => {
  assert.equal(asarUnpackedPath('/opt/App/resources/app.asar/dist/worker.js'), '/opt/App/resources/app.asar.unpacked/dist/worker.js');
  assert.equal(asarUnpackedPath('C:\\App\\resources\\app.asar\\tasks.js'), 'C:\\App\\resources\\app.asar.unpacked\\tasks.js');
  assert.equal(asarUnpackedPath('/opt/App/resources/app.asar.unpacked/x.js'), '/opt/App/resources/app.asar.unpacked/x.js');
  assert.equal(asarUnpackedPath('/opt/App/dist/worker.js'), '/opt/App/dist/worker.js');
});
