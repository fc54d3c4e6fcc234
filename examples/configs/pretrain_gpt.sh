#!/bin/bash
# Megatron-LM launch script: read with shlex, never run
GPUS_PER_NODE=8
NNODES=1

DISTRIBUTED_ARGS=(
    --nproc_per_node $GPUS_PER_NODE
    --nnodes $NNODES
)

TRAINING_ARGS=(
    --micro-batch-size 4
    --global-batch-size 256
    --train-samples 2560000
    --lr 6e-4
    --min-lr 6e-5
    --lr-decay-style cosine
    --lr-warmup-fraction 0.01
    --weight-decay 0.1
    --bf16
)

torchrun ${DISTRIBUTED_ARGS[@]} pretrain_gpt.py ${TRAINING_ARGS[@]} --tensor-model-parallel-size 2
