"""A worked example of a Wordcut voice plug-in (see docs/overdub.md).

A real plug-in would wrap a locally installed voice-cloning model; this one stays tiny and
dependency-free so the tests can install it: it speaks with espeak-ng at the *pitch of the host*,
estimated from the profile's reference recording (the consent sample). Because it imitates a
person, it declares ``clones_voice = True``, so Wordcut only runs it with that person's verified
profile, owned by the user asking.
"""

from __future__ import annotations

import numpy as np

from editor.overdub.backend import Generated, VoiceRequest
from editor.overdub.speech import SpeechBackend


def median_pitch(samples: np.ndarray, rate: int) -> float:
    """Median fundamental frequency (Hz) of the voiced 40 ms frames, by autocorrelation."""
    x = samples.mean(axis=1) if samples.ndim == 2 else samples
    hop, size = rate // 100, rate // 25
    lo, hi = rate // 400, rate // 60  # 60..400 Hz
    found = []
    for start in range(0, len(x) - size, hop * 4):
        frame = x[start : start + size] - x[start : start + size].mean()
        energy = float(np.dot(frame, frame))
        if energy < 1e-4 * size:
            continue
        ac = np.correlate(frame, frame, "full")[size - 1 :]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.4 * ac[0]:
            found.append(rate / lag)
    return float(np.median(found)) if found else 120.0


class PitchVoice:
    """espeak-ng, pitched to the host's reference sample."""

    name = "pitch"
    clones_voice = True

    def generate(self, request: VoiceRequest) -> Generated:
        import soundfile as sf

        profile = request.profile
        if profile is None:
            raise ValueError("the pitch voice needs the host's voice profile")
        reference, rate = sf.read(str(profile.reference), dtype="float32", always_2d=True)
        hz = median_pitch(reference, rate)
        # espeak-ng's pitch 0..99 spans roughly 70..210 Hz for its default voice
        pitch = int(min(99, max(0, round((hz - 70) / 140 * 99))))
        made = SpeechBackend(pitch=pitch).generate(request)
        return Generated(
            made.samples,
            made.sample_rate,
            made.spans,
            made.holes,
            notes=(*made.notes, f"pitched to {hz:.0f} Hz from {profile.host}'s sample"),
        )
