"""A hand-written H.264 Baseline stream and an AAC-LC silent frame, byte for byte (no encoder).

The emulator's result videos must be byte-identical on every machine (their hashes go into
cassettes), so they are not encoded with a library whose output changes across versions: the
stream is one IDR picture whose macroblocks are all Intra16x16 DC-predicted with no residual (a
flat grey picture; each macroblock is the byte ``0x27``), followed by P pictures that skip every
macroblock. FFmpeg decodes it (``tests/emulator/test_media.py`` decodes every frame with PyAV).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Baseline profile, constraint_set0/1 (constrained baseline), level 4.0 (1080p at 30 fps).
PROFILE_IDC = 66
CONSTRAINTS = 0xC0
LEVEL_IDC = 40
_LOG2_MAX_FRAME_NUM = 4

#: One AAC-LC raw frame of silence for a mono channel (SCE with max_sfb 0, then END): 1024 samples.
AAC_SILENT_FRAME = b"\x01\x40\x20\x07"
AAC_FRAME_SAMPLES = 1024


def aac_config(sample_rate: int = 16000, channels: int = 1) -> bytes:
    """The AudioSpecificConfig of AAC-LC at ``sample_rate`` (one of the standard rates)."""
    index = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000).index(sample_rate)
    value = (2 << 11) | (index << 7) | (channels << 3)
    return value.to_bytes(2, "big")


class _Bits:
    """An MSB-first bit writer with Exp-Golomb codes."""

    def __init__(self) -> None:
        self._bits: list[str] = []

    def u(self, width: int, value: int) -> None:
        if width:
            self._bits.append(format(value, f"0{width}b"))

    def ue(self, value: int) -> None:
        code = value + 1
        self._bits.append("0" * (code.bit_length() - 1) + format(code, "b"))

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def raw(self, bits: str) -> None:
        self._bits.append(bits)

    def rbsp(self) -> bytes:
        """The bits with rbsp_trailing_bits (a 1, then zeros to the byte boundary)."""
        text = "".join(self._bits) + "1"
        text += "0" * (-len(text) % 8)
        return int(text, 2).to_bytes(len(text) // 8, "big")


def _nal(ref_idc: int, kind: int, rbsp: bytes) -> bytes:
    """A NAL unit (header byte + payload with emulation-prevention bytes)."""
    out = bytearray([(ref_idc << 5) | kind])
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


@dataclass(frozen=True, slots=True)
class Picture:
    """Frame geometry: the visible size and the macroblock grid that covers it."""

    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0 or self.width % 2 or self.height % 2:
            raise ValueError(f"picture size must be positive and even, got {self.width}x{self.height}")

    @property
    def mbs_wide(self) -> int:
        """Macroblock columns."""
        return (self.width + 15) // 16

    @property
    def mbs_high(self) -> int:
        """Macroblock rows."""
        return (self.height + 15) // 16

    @property
    def macroblocks(self) -> int:
        """Macroblocks per picture."""
        return self.mbs_wide * self.mbs_high


def sps(picture: Picture) -> bytes:
    """The sequence parameter set NAL unit (POC type 2, one reference frame, cropping to the visible size)."""
    bits = _Bits()
    bits.u(8, PROFILE_IDC)
    bits.u(8, CONSTRAINTS)
    bits.u(8, LEVEL_IDC)
    bits.ue(0)  # seq_parameter_set_id
    bits.ue(_LOG2_MAX_FRAME_NUM - 4)
    bits.ue(2)  # pic_order_cnt_type: output order = decoding order
    bits.ue(1)  # max_num_ref_frames
    bits.u(1, 0)  # gaps_in_frame_num_value_allowed_flag
    bits.ue(picture.mbs_wide - 1)
    bits.ue(picture.mbs_high - 1)
    bits.u(1, 1)  # frame_mbs_only_flag
    bits.u(1, 1)  # direct_8x8_inference_flag
    crop_right = (picture.mbs_wide * 16 - picture.width) // 2
    crop_bottom = (picture.mbs_high * 16 - picture.height) // 2
    cropping = bool(crop_right or crop_bottom)
    bits.u(1, int(cropping))
    if cropping:
        for offset in (0, crop_right, 0, crop_bottom):  # left, right, top, bottom (in chroma units)
            bits.ue(offset)
    bits.u(1, 0)  # vui_parameters_present_flag
    return _nal(3, 7, bits.rbsp())


def pps() -> bytes:
    """The picture parameter set NAL unit (CAVLC, deblocking control present)."""
    bits = _Bits()
    bits.ue(0)  # pic_parameter_set_id
    bits.ue(0)  # seq_parameter_set_id
    bits.u(1, 0)  # entropy_coding_mode_flag: CAVLC
    bits.u(1, 0)  # bottom_field_pic_order_in_frame_present_flag
    bits.ue(0)  # num_slice_groups_minus1
    bits.ue(0)  # num_ref_idx_l0_default_active_minus1
    bits.ue(0)  # num_ref_idx_l1_default_active_minus1
    bits.u(1, 0)  # weighted_pred_flag
    bits.u(2, 0)  # weighted_bipred_idc
    bits.se(0)  # pic_init_qp_minus26
    bits.se(0)  # pic_init_qs_minus26
    bits.se(0)  # chroma_qp_index_offset
    bits.u(1, 1)  # deblocking_filter_control_present_flag
    bits.u(1, 0)  # constrained_intra_pred_flag
    bits.u(1, 0)  # redundant_pic_cnt_present_flag
    return _nal(3, 8, bits.rbsp())


#: mb_type I_16x16_2_0_0 (DC, no coded block), intra_chroma_pred_mode DC, mb_qp_delta 0, empty DC levels.
_GREY_MACROBLOCK = "00100" + "1" + "1" + "1"


def idr_slice(picture: Picture) -> bytes:
    """The IDR picture: every macroblock Intra16x16 DC with no residual (flat grey)."""
    bits = _Bits()
    bits.ue(0)  # first_mb_in_slice
    bits.ue(7)  # slice_type: I (all slices)
    bits.ue(0)  # pic_parameter_set_id
    bits.u(_LOG2_MAX_FRAME_NUM, 0)  # frame_num
    bits.ue(0)  # idr_pic_id
    bits.u(1, 0)  # no_output_of_prior_pics_flag
    bits.u(1, 0)  # long_term_reference_flag
    bits.se(0)  # slice_qp_delta
    bits.ue(1)  # disable_deblocking_filter_idc
    bits.raw(_GREY_MACROBLOCK * picture.macroblocks)
    return _nal(3, 5, bits.rbsp())


def skip_slice(picture: Picture, frame_num: int) -> bytes:
    """A P picture that skips every macroblock (a copy of the previous picture)."""
    bits = _Bits()
    bits.ue(0)  # first_mb_in_slice
    bits.ue(5)  # slice_type: P (all slices)
    bits.ue(0)  # pic_parameter_set_id
    bits.u(_LOG2_MAX_FRAME_NUM, frame_num % (1 << _LOG2_MAX_FRAME_NUM))
    bits.u(1, 0)  # num_ref_idx_active_override_flag
    bits.u(1, 0)  # ref_pic_list_modification_flag_l0
    bits.u(1, 0)  # adaptive_ref_pic_marking_mode_flag (sliding window)
    bits.se(0)  # slice_qp_delta
    bits.ue(1)  # disable_deblocking_filter_idc
    bits.ue(picture.macroblocks)  # mb_skip_run: the whole picture
    return _nal(2, 1, bits.rbsp())


def avc_config(picture: Picture) -> bytes:
    """The ``avcC`` payload (AVCDecoderConfigurationRecord) with 4-byte NAL lengths."""
    seq, pic = sps(picture), pps()
    return (
        bytes([1, PROFILE_IDC, CONSTRAINTS, LEVEL_IDC, 0xFF, 0xE1])
        + len(seq).to_bytes(2, "big")
        + seq
        + b"\x01"
        + len(pic).to_bytes(2, "big")
        + pic
    )
