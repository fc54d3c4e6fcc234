"""Ultralytics YOLO: the train arguments (a YAML: the ``args.yaml`` Ultralytics saves for a run,
or one written by hand with ``lr0``, ``lrf``, ``epochs``, ``batch``, ``nbs``, ...), as
``yolo train cfg=args.yaml`` runs them (ultralytics 8.4; lines of 8.4.190's
``engine/trainer.py`` unless said otherwise).

How Ultralytics counts:

- images: ``--dataset-size n``, of which ``fraction`` keeps ``max(1, round(n * f))`` (Python's
  round, half to even; a whole number above 1 is a count of images) (``data/base.py`` 224);
- batches per epoch ``nb = ceil(n / b)``, the loader's batch ``b = min(batch, n)``
  (``data/build.py`` 381-392; ``floor`` with ``compile``, which drops a last partial batch);
  a final batch of 1 at an image size below twice the stride is refused (307-312);
- ``accumulate = max(round(nbs / batch), 1)`` batches per update, capped at the run's
  ``nb * epochs`` batches (321-324);
- warmup ``nw = round(min(warmup_epochs, epochs - 1) * nb)`` iterations, none when that is not
  above 0 (276-279). At each batch ``ni = i + nb * epoch <= nw`` (521-543) accumulate becomes
  ``max(1, round(interp(ni, [0, nw], [1, accumulate])))`` and each group's lr
  ``interp(ni, [0, nw], [start, initial_lr * lf(epoch)])``, ``start`` being ``warmup_bias_lr``
  for the bias groups and 0 for the others (numpy's ``np.interp``, called here too);
- an update when ``ni - last_update >= accumulate`` (602): ``last_update`` is never reset at
  an epoch's end, so windows cross epochs and trailing batches never make an update;
- ``lf(e) = max(1 - e / epochs, 0) * (1 - lrf) + lrf``, or with ``cos_lr`` the one-cycle
  ``max((1 - cos(e * pi / epochs)) / 2, 0) * (lrf - 1) + 1`` (268-274); the LambdaLR is stepped
  at each epoch's start (465, 501), so epoch ``e`` runs at ``initial_lr * lf(e)``;
- ``optimizer: auto`` (326, 1176-1186): ``ceil(images / max(batch, nbs)) * epochs`` iterations;
  above 10000 MuSGD at lr 0.01, else AdamW at ``round(0.002 * 5 / (4 + nc), 6)``; either way
  ``warmup_bias_lr`` becomes 0. ``nc`` (classes) is in the dataset, not the train args: from
  ``--set nc=N`` (lrsched's key, which Ultralytics does not have), ``single_cls`` (1), or the
  dataset ``data`` names when Ultralytics ships it (the task's default: coco8.yaml, 80);
- groups (``build_optimizer``, 1173-1236): weight, bn, bias, in that order, at the same lr;
  MuSGD splits each of weight, bn, bias and muon in two, the head's cv3 first at 3 x lr.

Groups whose lrs are all equal are one series, ``"0"``. Refused: ``time`` (epochs re-estimated
from the wall clock), ``resume``, a list of datasets, task classify (its own trainer). Not
modelled: early stopping (``patience``), the batch halving on a CUDA out-of-memory error, the
epoch redone after a NaN loss, and GradScaler skipping an update whose gradients overflow
under AMP on a GPU. Several GPUs (``device: 0,1``) follow the source, unmeasured.

Imports numpy and this package only.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import numpy as np

from ...errors import UsageError
from .base import Inputs, Reading, ceil_div, flat, need, number

TRAINER = "Ultralytics YOLO (8.4)"
F = "ultralytics"
KEYS = ("lr0", "lrf", "nbs", "warmup_bias_lr", "warmup_momentum", "close_mosaic", "cos_lr",
        "imgsz")
# the train arguments (ultralytics/cfg/default.yaml), the two extra keys get_cfg allows, and
# the deprecated ones it renames or drops first
_ARGS = """
task mode model data epochs time patience batch imgsz save save_period cache device
workers project name exist_ok pretrained cls_remap optimizer verbose seed deterministic
single_cls rect cos_lr close_mosaic resume amp fraction profile freeze multi_scale
compile channels_last overlap_mask mask_ratio dropout val split save_json conf iou
max_det quantize dnn plots nms source vid_stride stream_buffer visualize augment
agnostic_nms classes retina_masks embed show save_frames save_txt save_conf save_crop
show_labels show_conf show_boxes line_width format optimize dynamic simplify opset
workspace lr0 lrf momentum weight_decay warmup_epochs warmup_momentum warmup_bias_lr
distill_model dis box cls cls_pw dfl pose kobj rle angle dlog dgrad dlam nbs hsv_h hsv_s
hsv_v degrees translate scale shear perspective flipud fliplr bgr mosaic mixup cutmix
copy_paste copy_paste_mode auto_augment erasing cfg tracker
augmentations save_dir
boxes hide_labels hide_conf line_thickness label_smoothing save_hybrid crop_fraction keras
end2end int8 half
"""
ARGS = frozenset(_ARGS.split())
OPTIMIZERS = ("auto", "SGD", "MuSGD", "Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSprop")
TASK_DATA = {"detect": "coco8.yaml", "segment": "coco8-seg.yaml", "pose": "coco8-pose.yaml",
             "obb": "dota8.yaml", "semantic": "cityscapes8.yaml", "depth": "depth8.yaml"}
# classes of datasets Ultralytics ships (ultralytics/cfg/datasets/*.yaml)
CLASSES = {"coco8": 80, "coco128": 80, "coco": 80, "coco8-seg": 80, "coco128-seg": 80,
           "coco8-pose": 1, "coco-pose": 1, "dota8": 15, "dota128": 15, "DOTAv1": 15,
           "DOTAv1.5": 16, "VOC": 20, "VisDrone": 10, "Objects365": 365, "lvis": 1203,
           "open-images-v7": 601, "xView": 60, "Argoverse": 8, "kitti": 8, "SKU-110K": 1,
           "GlobalWheat2020": 1, "african-wildlife": 4, "brain-tumor": 2, "carparts-seg": 23,
           "crack-seg": 1, "package-seg": 1, "cityscapes8": 19, "depth8": 1}
STRIDE = 32  # the model's largest stride: 32 for YOLOv8/11 (P5) models, 64 for P6 ones


def detect(doc: dict[str, Any]) -> bool:
    return any(k in doc for k in KEYS)


def build(doc: dict[str, Any], inputs: Inputs) -> Reading:
    """The lr of every update ``yolo train`` makes with these train arguments."""
    _check_keys(doc)
    _refuse_unmodelled(doc, inputs)
    epochs = number(doc, "epochs", 100, F, integer=True, lo=1)
    nbs = number(doc, "nbs", 64, F, integer=True, lo=1)
    lr0 = _fraction_key(doc, "lr0", 0.01)
    lrf = _fraction_key(doc, "lrf", 0.01)
    bias_lr = _fraction_key(doc, "warmup_bias_lr", 0.1)
    warmup_epochs = number(doc, "warmup_epochs", 3.0, F)
    cos_lr = _flag(doc, "cos_lr", False)
    name = _optimizer(doc)
    w = _world_size(doc, inputs)
    batch = _batch(doc, inputs, w)
    n = need(inputs.dataset_size, "how many training images there are", "--dataset-size N", F)
    images, how_many = _images(doc, n)

    facts: list[tuple[str, str]] = []
    surprises: list[str] = []
    if how_many:
        facts.append(("images", how_many))
    per_rank = ceil_div(images, w)  # DistributedSampler pads every rank to the same count
    b = min(batch // w, images)
    compiled = doc.get("compile") not in (None, False)
    drop = compiled and per_rank > b and per_rank % b != 0
    nb = per_rank // b if drop else ceil_div(per_rank, b)
    _final_batch(doc, per_rank, b, drop, batch)
    facts.append(("batches per epoch", f"{nb} = {'floor' if drop else 'ceil'}({per_rank} / {b})"
                  + (f" on each of {w} processes" if w > 1 else "")))
    if drop:
        surprises.append(f"compile drops the last {per_rank % b} images of every epoch "
                         "(a partial batch)")
    if b < batch // w:
        surprises.append(f"batch {batch} is more than the {images} images: the loader's batch is "
                         f"{b}, but accumulate still divides nbs by {batch}")
    total = nb * epochs

    acc = max(round(nbs / batch), 1)
    nominal = acc
    acc = min(acc, total)
    how = f"max(round(nbs {nbs} / batch {batch}), 1)"
    facts.append(("accumulate", f"{acc} batch{'es' if acc > 1 else ''} per update = {how}"
                  + (f" = {nominal}, capped at the run's {total} batches" if acc < nominal
                     else "")))

    groups, lr, bias_lr = _groups(name, doc, lr0, bias_lr, images, batch, nbs, epochs, facts,
                                  surprises)
    lf = _lf(cos_lr, epochs, lrf)
    facts.append(("schedule", ("one-cycle cosine lf(e) = max((1 - cos(e pi / E)) / 2, 0) x "
                               "(lrf - 1) + 1" if cos_lr else
                               "linear lf(e) = max(1 - e / E, 0) x (1 - lrf) + lrf")
                  + f", E = {epochs}, lrf = {lrf:g}; LambdaLR stepped at each epoch's start"))
    capped = min(warmup_epochs, max(epochs - 1, 0))
    nw = round(capped * nb) if capped > 0 else 0
    if nw:
        facts.append(("warmup", f"{nw} iterations = round(warmup_epochs {capped:g} x {nb} "
                                "batches)"))
    else:
        facts.append(("warmup", "none"))
    if capped < warmup_epochs and warmup_epochs > 0:
        surprises.append(f"warmup_epochs {warmup_epochs:g} is capped at epochs - 1 = "
                         f"{capped:g}")

    at, values = _run(groups, lf, nb, total, nw, acc, bias_lr)
    if not len(at):
        raise UsageError("ultralytics: the run makes no update")
    facts.append(("total updates", f"{len(at)} of {total} batches"
                  + (f" (one every {acc} after the warmup)" if acc > 1 else "")))
    _surprises(surprises, values, at, groups, nb, nw, acc, nbs, batch, bias_lr, total, lrf, lf,
               epochs, lr)
    patience = doc.get("patience", 100)
    if doc.get("val", True) and isinstance(patience, int) and 0 < patience < epochs:
        facts.append(("early stopping", f"patience {patience} can end the run before epoch "
                                        f"{epochs}; counted here: every epoch"))
    if all(np.array_equal(v, values[0]) for v in values):
        return Reading(F, TRAINER, {"0": values[0]}, facts, surprises)
    return Reading(F, TRAINER, {g[0]: v for g, v in zip(groups, values)}, facts, surprises)


def _check_keys(doc: dict[str, Any]) -> None:
    for key in doc:
        if key in ARGS or key == "nc":
            continue
        near = difflib.get_close_matches(str(key), sorted(ARGS), n=1)
        raise UsageError(f"ultralytics: {key!r} is not a YOLO train argument (Ultralytics "
                         "refuses it)" + (f": did you mean {near[0]}?" if near else ""))


def _refuse_unmodelled(doc: dict[str, Any], inputs: Inputs) -> None:
    if doc.get("time"):
        raise UsageError("ultralytics: time re-estimates the epochs from the wall clock after "
                         "every epoch: give epochs instead (--set time=null)")
    if doc.get("resume"):
        raise UsageError("ultralytics: resume continues from a checkpoint's epoch, which the "
                         "train args do not hold (--set resume=false)")
    if isinstance(doc.get("data"), (list, tuple)):
        raise UsageError("ultralytics: data lists several datasets, trained one after another: "
                         "give one (--set data=NAME)")
    task = doc.get("task") or _task_of(str(doc.get("model") or ""))
    if task == "classify":
        raise UsageError("ultralytics: task classify has its own trainer, which lrsched does "
                         "not read (it reads detect, segment, pose and obb train args)")
    if inputs.epochs is not None:
        raise UsageError("ultralytics: the train args hold the epochs (--set epochs=N), not "
                         "--epochs")


def _task_of(model: str) -> str:
    stem = model.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for suffix, task in (("-cls", "classify"), ("-seg", "segment"), ("-pose", "pose"),
                         ("-obb", "obb")):
        if stem.endswith(suffix):
            return task
    return "detect"


def _fraction_key(doc: dict[str, Any], key: str, default: float) -> float:
    v = number(doc, key, default, F, lo=0)
    if v > 1:
        raise UsageError(f"ultralytics: {key} {v!r} is not allowed: between 0.0 and 1.0 "
                         "(Ultralytics refuses it)")
    return v


def _flag(doc: dict[str, Any], key: str, default: bool) -> bool:
    v = doc.get(key, default)
    if not isinstance(v, bool):
        raise UsageError(f"ultralytics: {key} {v!r} is not allowed: true or false")
    return v


def _optimizer(doc: dict[str, Any]) -> str:
    given = doc.get("optimizer", "auto")
    name = {o.lower(): o for o in OPTIMIZERS}.get(str(given).lower())
    if name is None:
        raise UsageError(f"ultralytics: optimizer {given!r} is not one Ultralytics builds: "
                         "allowed: " + ", ".join(OPTIMIZERS))
    return name


def _world_size(doc: dict[str, Any], inputs: Inputs) -> int:
    """Ultralytics starts one process per GPU listed in ``device``."""
    device = doc.get("device")
    if isinstance(device, (list, tuple)):
        w = max(len(device), 1)
    elif isinstance(device, str) and device.strip().lower() not in ("", "cpu", "mps"):
        w = len([d for d in device.split(":")[-1].split(",") if d.strip()]) or 1
    else:
        w = 1
    if inputs.world_size not in (1, w):
        raise UsageError(f"ultralytics: --world-size {inputs.world_size}: Ultralytics starts one "
                         f"process per GPU of device ({device!r}): --set device=0,1,...")
    return w


def _batch(doc: dict[str, Any], inputs: Inputs, w: int) -> int:
    v = doc.get("batch")
    if v is None:
        return inputs.batch_size * w if inputs.batch_size else 16
    v = number(doc, "batch", None, F)
    if v < 1:
        raise UsageError(f"ultralytics: batch {v!r} asks AutoBatch to size the batch from the "
                         "GPU's memory, which lrsched cannot know: --set batch=N")
    if not isinstance(v, int):
        raise UsageError(f"ultralytics: batch {v!r} is not a whole number (torch's DataLoader "
                         f"refuses it): write {int(v)}" if v == int(v) else
                         f"ultralytics: batch {v!r} is not a whole number")
    if v < w:
        raise UsageError(f"ultralytics: batch {v} is less than one image per process ({w})")
    return v


def _images(doc: dict[str, Any], n: int) -> tuple[int, str]:
    """The training images ``fraction`` keeps of ``n``, and how (empty: all of them)."""
    f = doc.get("fraction", 1.0)
    if isinstance(f, list) and f:
        f = f[0]  # [train, val, test]
    bad = isinstance(f, bool) or not isinstance(f, (int, float)) or not (
        0 < f <= 1 or (isinstance(f, int) and f > 1))
    if bad:
        raise UsageError(f"ultralytics: fraction {f!r} is not allowed: a ratio in (0, 1] or a "
                         "whole count of images above 1")
    if isinstance(f, int) and f > 1:
        return min(f, n), f"{min(f, n)} of {n} (fraction {f}: a count)"
    if f == 1:
        return n, ""
    count = max(1, round(n * f))
    return min(count, n), f"{count} of {n} = max(1, round({n} x {f:g})) (fraction; Python " \
                          "rounds half to even)"


def _final_batch(doc: dict[str, Any], per_rank: int, b: int, drop: bool, batch: int) -> None:
    size = doc.get("imgsz", 640)
    if isinstance(size, (list, tuple)):
        size = max(size)
    if isinstance(size, str) and size.isnumeric():
        size = int(size)
    if isinstance(size, bool) or not isinstance(size, int):
        raise UsageError(f"ultralytics: imgsz {size!r} is not allowed: a whole number")
    checked = max(math.ceil(size / STRIDE) * STRIDE, STRIDE)
    scale = _fraction_key(doc, "multi_scale", 0.0)
    smallest = max(STRIDE, int(checked * (1 - scale))) // STRIDE * STRIDE
    final = per_rank % b or b
    if smallest < 2 * STRIDE and not drop and final == 1:
        raise UsageError(f"ultralytics: batch {batch} leaves a final batch of 1 image at imgsz "
                         f"{smallest}, which Ultralytics refuses (BatchNorm would see one value "
                         "per channel): change batch, or keep imgsz"
                         + (" x (1 - multi_scale)" if scale else "") + f" >= {2 * STRIDE}")


def _groups(name: str, doc: dict[str, Any], lr0: float, bias_lr: float, images: int,
            batch: int, nbs: int, epochs: int, facts: list[tuple[str, str]],
            surprises: list[str]) -> tuple[list[tuple[str, float, bool]], float, float]:
    """(name, initial lr, warms from warmup_bias_lr) per group, the lr and warmup_bias_lr."""
    lr = lr0
    if name == "auto":
        iterations = ceil_div(images, max(batch, nbs)) * epochs
        if iterations > 10000:
            name, lr = "MuSGD", 0.01
            why = f"{iterations} iterations > 10000"
        else:
            nc = _classes(doc)
            name, lr = "AdamW", round(0.002 * 5 / (4 + nc), 6)
            why = f"{iterations} iterations <= 10000; lr = round(0.002 x 5 / (4 + nc {nc}), 6)"
        facts.append(("optimizer", f"auto: {name} at lr {lr:g} ({why}), warmup_bias_lr 0"))
        surprises.append(f"optimizer auto ignores lr0 {lr0:g}: {name} at {lr:g}"
                         + (f", and warmup_bias_lr {bias_lr:g} becomes 0" if bias_lr else ""))
        bias_lr = 0.0
    else:
        facts.append(("optimizer", f"{name} at lr0 {lr:g}"))
    if name != "MuSGD":
        return [("weight", lr, False), ("bn", lr, False), ("bias", lr, True)], lr, bias_lr
    surprises.append("MuSGD: each of the weight, bn, bias and muon groups is split, the "
                     "head's cv3 at 3 x lr")
    out = []
    for group in ("weight", "bn", "bias", "muon"):
        out += [(f"{group} x3", lr * 3, group == "bias"), (group, lr, group == "bias")]
    return out, lr, bias_lr


def _classes(doc: dict[str, Any]) -> int:
    nc = doc.get("nc")
    if nc is not None:
        if isinstance(nc, bool) or not isinstance(nc, int) or nc < 1:
            raise UsageError(f"ultralytics: nc {nc!r} is not allowed: a whole number >= 1")
        return nc
    if doc.get("single_cls"):
        return 1
    task = doc.get("task") or _task_of(str(doc.get("model") or ""))
    data = doc.get("data") or TASK_DATA.get(task, "coco8.yaml")
    stem = str(data).rsplit("/", 1)[-1]
    stem = stem[:-5] if stem.endswith(".yaml") else stem
    if stem in CLASSES:
        return CLASSES[stem]
    raise UsageError(f"ultralytics: optimizer auto sets AdamW's lr from the number of classes "
                     f"of data {data!r}, which the train args do not hold: give --set nc=N")


def _lf(cos_lr: bool, epochs: int, lrf: float) -> Any:
    if cos_lr:
        return lambda e: max((1 - math.cos(e * math.pi / epochs)) / 2, 0) * (lrf - 1) + 1
    return lambda e: max(1 - e / epochs, 0) * (1.0 - lrf) + lrf


def _run(groups: list[tuple[str, float, bool]], lf: Any, nb: int, total: int, nw: int,
         acc: int, bias_lr: float) -> tuple[np.ndarray, list[np.ndarray]]:
    """The batch index ``ni`` of every update and each group's lr there."""
    warm: list[int] = []
    last = -1
    if nw:
        ramp = np.maximum(1, np.interp(np.arange(nw + 1), [0, nw], [1, acc]).round())
        for i in range(nw + 1):
            if i - last >= ramp[i]:
                warm.append(i)
                last = i
    # past the warmup accumulate is acc (reached at ni = nw, which would have updated had
    # nw - last >= acc): the next update is acc batches after the last one, then every acc
    after = np.arange(last + acc, total, acc, dtype=np.int64)
    at = np.concatenate([np.asarray(warm, dtype=np.int64), after])
    lfs = np.array([lf(e) for e in range(total // nb)], dtype=np.float64)
    values = []
    for _, initial, from_bias in groups:
        start = bias_lr if from_bias else 0.0
        during = [float(np.interp(i, [0, nw], [start, initial * lf(i // nb)])) for i in warm]
        values.append(np.concatenate([flat(during), initial * lfs[after // nb]]))
    return at, values


def _surprises(out: list[str], values: list[np.ndarray], at: np.ndarray,
               groups: list[tuple[str, float, bool]], nb: int, nw: int, acc: int, nbs: int,
               batch: int, bias_lr: float, total: int, lrf: float, lf: Any,
               epochs: int, lr: float) -> None:
    if acc > 1:
        out.insert(0, f"nbs {nbs} at batch {batch}: {acc} batches accumulate per update"
                   + (" (ramped from 1 during the warmup)" if nw else ""))
    warm = int(np.sum(at <= nw)) if nw else 0
    if warm:
        out.append("the first update runs at lr 0 for every group" + (" but bias" if bias_lr
                   else "") + " (the warmup starts from 0)")
        bias = next(k for k, g in enumerate(groups) if g[2])
        if bias_lr > values[bias][warm - 1]:
            out.append(f"the bias group warms DOWN from warmup_bias_lr {bias_lr:g}")
        weight = values[0][:warm]
        drops = np.flatnonzero(weight[1:] < weight[:-1]) + 1
        if len(drops):
            k = int(drops[0])
            out.append(f"the warmup target changes at the epoch boundary inside the warmup: "
                       f"the lr drops from {weight[k - 1]:.6g} to {weight[k]:.6g} at batch "
                       f"{at[k]}")
    left = total - 1 - int(at[-1])
    if left:
        out.append("the last batch never makes an update" if left == 1 else
                   f"the last {left} batches never make an update")
    if acc > 1 and nb % acc and len(at) > 1:
        out.append(f"accumulation windows cross epoch ends ({nb} batches an epoch, {acc} per "
                   "update)")
    if lrf != 1:
        out.append(f"the last epoch runs at lr x lf({epochs - 1}) = {lr * lf(epochs - 1):.6g}, "
                   f"not lr x lrf = {lr * lrf:.6g}: lf reaches lrf only at epoch {epochs}, "
                   "which never runs")
