"""Pruning: which weights (or training examples) to keep, one submodule per family of methods.

* :mod:`~dlrepro.prune.magnitude`: magnitude masks, random masks, IMP with rewinding, and
  :func:`apply_masks` through ``torch.nn.utils.prune``.
* :mod:`~dlrepro.prune.budgets`: per-layer density budgets (uniform, Erdos-Renyi-Kernel) and
  random masks that follow them.
* :mod:`~dlrepro.prune.saliency`: pruning at initialization (SNIP, SynFlow).
* :mod:`~dlrepro.prune.supermask`: learned binary and signed masks over frozen random weights,
  and the density-scaled signed-constant weights they search.
* :mod:`~dlrepro.prune.data_scores`: data pruning scores (EL2N, GraNd).
* :mod:`~dlrepro.prune.surgeon`: one-shot Optimal Brain Surgeon with the empirical Fisher, dense
  or matrix-free (M-FAC).

Everything public is re-exported here, so ``from dlrepro.prune import magnitude_masks`` works.
"""

from dlrepro.prune.budgets import (
    erk_densities,
    layer_densities,
    random_masks_with_densities,
    uniform_densities,
)
from dlrepro.prune.data_scores import (
    el2n_scores,
    grand_scores,
    grand_scores_batched_mlp,
    keep_hardest,
)
from dlrepro.prune.magnitude import (
    Masks,
    apply_masks,
    density,
    imp_step,
    magnitude_masks,
    prunable_layers,
    random_masks,
)
from dlrepro.prune.saliency import snip_masks, snip_scores, synflow_masks, synflow_scores
from dlrepro.prune.supermask import (
    ELU_GAIN,
    SUPERMASKS,
    BinarySupermask,
    SignedSupermask,
    SupermaskMLP,
    scaled_signed_constant,
)
from dlrepro.prune.surgeon import (
    DenseInverse,
    MFACInverse,
    fisher_diagonal_saliency,
    inverse_fisher,
    obs_prune,
    obs_prune_vector,
    obs_saliency,
    obs_update,
    weight_gradients,
)

__all__ = [
    "Masks",
    "magnitude_masks",
    "random_masks",
    "density",
    "imp_step",
    "apply_masks",
    "prunable_layers",
    "uniform_densities",
    "erk_densities",
    "layer_densities",
    "random_masks_with_densities",
    "snip_scores",
    "snip_masks",
    "synflow_scores",
    "synflow_masks",
    "BinarySupermask",
    "SignedSupermask",
    "SupermaskMLP",
    "SUPERMASKS",
    "ELU_GAIN",
    "scaled_signed_constant",
    "el2n_scores",
    "grand_scores",
    "grand_scores_batched_mlp",
    "keep_hardest",
    "DenseInverse",
    "MFACInverse",
    "inverse_fisher",
    "obs_prune",
    "obs_prune_vector",
    "fisher_diagonal_saliency",
    "obs_saliency",
    "obs_update",
    "weight_gradients",
]
