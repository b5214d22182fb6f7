/**
 * What `npm start` prints once the API answers: where the page is and a request to try. With keys
 * configured the request carries one, read from TANDEM_KEY (the settings hold only hashes, so the
 * key itself cannot be printed), or the first thing a new user tries is a 401.
 */
export function readyMessage(base: string, keyed: boolean): string {
  const auth = keyed ? `-H "Authorization: Bearer $TANDEM_KEY" ` : '';
  const lines = [
    `Tandem TTS is ready: ${base}/`,
    `  try: curl -o hello.wav ${auth}-H 'Content-Type: application/json' -d '{"text":"Hello, world"}' ${base}/api/tts`,
  ];
  if (keyed) lines.push('  (with TANDEM_KEY set to one of your API keys: API_KEYS holds only their hashes)');
  return `\n${lines.join('\n')}\n\n`;
}
