/**
 * Names the directory one `npx jest` run shares between its workers (the stage apps of synthStage). Set by
 * jest-global-setup.ts, inherited by every worker, removed by jest-global-teardown.ts. A module of its own so
 * the setup does not load aws-cdk-lib in jest's main process.
 */
export const RUN_DIR_ENV = 'LOG_PIPELINE_TEST_RUN_DIR';
