export default async function globalTeardown(): Promise<void> {
  await globalThis.__ECHO_TEST_PG__?.stop();
}
