/**
 * Everything a member needs once signed in: device keys, ts-mls, the key backup and the
 * workspace. Loaded as its own chunk after the first screen is shown, so the sign-in and
 * invitation screens download a fraction of the code (docs/benchmarks.md).
 */
export { setUpDevice } from './device/setup';
export { restorableBackup, restoreDevice } from './device/restore';
export { RecoveryCode } from './pages/RecoveryCode';
export { Restore } from './pages/Restore';
export { Unlock } from './workspace/Unlock';
export { Workspace } from './workspace/Workspace';
