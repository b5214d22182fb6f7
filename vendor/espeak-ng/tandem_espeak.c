/*
 * Tandem TTS: a resident synthesizer interface to libespeak-ng for the WebAssembly build.
 *
 * espeak-ng is initialised once per module instance; each synthesis fills two growable buffers
 * inside the module (16-bit samples, and word/sentence/end events) that JavaScript reads straight
 * out of linear memory afterwards, so no JavaScript function is called per block of samples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <emscripten/emscripten.h>
#include <espeak-ng/speak_lib.h>

/* One event as JavaScript reads it: four 32-bit integers. */
typedef struct {
	int type;           /* espeak_EVENT_TYPE */
	int text_position;  /* 1-based character position in the text */
	int length;         /* characters of the word */
	int audio_position; /* ms from the start of the text */
} tandem_event;

static short *pcm;
static int pcm_len, pcm_cap;
static tandem_event *events;
static int events_len, events_cap;

static int grow(void **buf, int *cap, int need, int size)
{
	if (need <= *cap) return 1;
	int cap2 = *cap ? *cap : 4096;
	while (cap2 < need) cap2 *= 2;
	void *p = realloc(*buf, (size_t)cap2 * size);
	if (!p) return 0;
	*buf = p;
	*cap = cap2;
	return 1;
}

/* espeak-ng's synchronous callback: returning 1 aborts synthesis (here: out of memory). */
static int on_synth(short *wav, int n, espeak_EVENT *ev)
{
	if (wav && n > 0) {
		if (!grow((void **)&pcm, &pcm_cap, pcm_len + n, sizeof(short))) return 1;
		memcpy(pcm + pcm_len, wav, (size_t)n * sizeof(short));
		pcm_len += n;
	}
	for (; ev && ev->type != espeakEVENT_LIST_TERMINATED; ev++) {
		if (ev->type != espeakEVENT_WORD && ev->type != espeakEVENT_SENTENCE && ev->type != espeakEVENT_END &&
		    ev->type != espeakEVENT_MSG_TERMINATED)
			continue;
		if (!grow((void **)&events, &events_cap, events_len + 1, sizeof(tandem_event))) return 1;
		tandem_event *e = &events[events_len++];
		e->type = ev->type;
		e->text_position = ev->text_position;
		e->length = ev->length;
		e->audio_position = ev->audio_position;
	}
	return 0;
}

/* Loads espeak-ng's data from `path` in the module's file system; the sample rate, or -1. */
EMSCRIPTEN_KEEPALIVE int tandem_init(const char *path)
{
	int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 100, path, espeakINITIALIZE_DONT_EXIT);
	if (rate > 0) espeak_SetSynthCallback(on_synth);
	return rate;
}

/* A voice by name with an optional variant ("cmn+f3"); 0 when selected. */
EMSCRIPTEN_KEEPALIVE int tandem_set_voice(const char *name)
{
	return espeak_SetVoiceByName(name);
}

EMSCRIPTEN_KEEPALIVE int tandem_set_rate(int wpm)
{
	return espeak_SetParameter(espeakRATE, wpm, 0);
}

/*
 * Synthesises UTF-8 `text` into the buffers read by tandem_pcm()/tandem_events(); 0 on success.
 * SSML and [[phoneme]] input are on, as in the JavaScript build this replaces.
 */
EMSCRIPTEN_KEEPALIVE int tandem_synth(const char *text)
{
	pcm_len = 0;
	events_len = 0;
	return espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8 | espeakSSML | espeakPHONEMES,
	                    NULL, NULL);
}

EMSCRIPTEN_KEEPALIVE short *tandem_pcm(void) { return pcm; }
EMSCRIPTEN_KEEPALIVE int tandem_pcm_length(void) { return pcm_len; }
EMSCRIPTEN_KEEPALIVE tandem_event *tandem_events(void) { return events; }
EMSCRIPTEN_KEEPALIVE int tandem_events_length(void) { return events_len; }

/*
 * IPA of `text` as espeak-ng's phoneme trace writes it while synthesising (phonemes separated by
 * "_", tone numbers kept), for diagnostics and tests. The string lives until the next call.
 */
EMSCRIPTEN_KEEPALIVE const char *tandem_ipa(const char *text)
{
	static char *out;
	static size_t out_len;
	free(out);
	out = NULL;
	FILE *f = open_memstream(&out, &out_len);
	if (!f) return "";
	espeak_SetPhonemeTrace(espeakPHONEMES_IPA | ('_' << 8), f);
	espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
	espeak_SetPhonemeTrace(0, NULL);
	fclose(f);
	pcm_len = 0;
	events_len = 0;
	return out ? out : "";
}
