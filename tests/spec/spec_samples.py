"""Request bodies and names shared by the canonical-spec tests."""

from __future__ import annotations

FAMILIES = (
    "generations",
    "text2video",
    "image2video",
    "multi-image2video",
    "video-extend",
    "effects",
    "kolors-virtual-try-on",
    "lip-sync",
)

IMAGE_URL = "https://cdn.example.com/input/cat.jpg"

#: The smallest body each create operation accepts (the canonical minimal request).
MINIMAL_BODIES: dict[str, dict[str, object]] = {
    "generations": {"prompt": "a red panda"},
    "text2video": {"prompt": "a cat on a beach"},
    "image2video": {"image": IMAGE_URL},
    "multi-image2video": {"image_list": [{"image": IMAGE_URL}]},
    "video-extend": {"video_id": "3f7c2a64-8d1e-4b55-9a0e-51c6f1d2a9b7"},
    "effects": {"effect_scene": "squish", "input": {"image": IMAGE_URL}},
    "kolors-virtual-try-on": {"human_image": IMAGE_URL},
    "lip-sync": {"input": {"video_id": "v1", "mode": "text2video", "text": "hi", "voice_id": "genshin_vindi2"}},
}
