#!/usr/bin/env python3
"""An independent safetensors writer (plain python3: struct + json, no numpy or torch) and the fixture
that tests tapegrad's checkpoint loading against it.

It builds the state dict of a tiny SimpleConvNet exactly as PyTorch would name and lay it out
(conv1.weight (out,in,kh,kw), conv1.bias, fc1.weight (out,in), fc1.bias, fc2.weight, fc2.bias),
writes it the way the `safetensors` library does (tensors sorted by name, header padded with spaces to
8 bytes, {"format": "pt"} metadata), computes the network's outputs on a small batch in float64, and
writes inputs and expected logits to a second file.

    python3 packages/nn/scripts/write_safetensors_fixture.py packages/nn/test/fixtures

Equivalent PyTorch model, for the record:
    conv1 = nn.Conv2d(1, 2, 3, padding=1); pool = nn.MaxPool2d(2, 2)
    fc1 = nn.Linear(18, 4); fc2 = nn.Linear(4, 3)
    logits = fc2(relu(fc1(pool(relu(conv1(x))).flatten(1))))
"""
import json
import os
import random
import struct
import sys

IN_C, H, W = 1, 6, 6
FILTERS, K, PAD = 2, 3, 1
HIDDEN, OUT = 4, 3
BATCH = 2
POOLED = FILTERS * (H // 2) * (W // 2)

FORMATS = {'F32': ('f', 4), 'F64': ('d', 8)}


def f32(v):
    """Rounds a Python float to the nearest float32 value."""
    return struct.unpack('<f', struct.pack('<f', v))[0]


def size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def serialize(tensors, metadata):
    """tensors: {name: (dtype, shape, flat values)} -> safetensors bytes."""
    header = {'__metadata__': metadata}
    data = b''
    for name in sorted(tensors):
        dtype, shape, values = tensors[name]
        fmt, width = FORMATS[dtype]
        assert len(values) == size(shape)
        raw = struct.pack('<%d%s' % (len(values), fmt), *values)
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    return struct.pack('<Q', len(text)) + text + data


def conv_relu_pool(x, w, b):
    """x: [C][H][W] -> relu(conv(x) + b) max-pooled 2x2/2, flattened in (F, H/2, W/2) order."""
    conv = [[[0.0] * W for _ in range(H)] for _ in range(FILTERS)]
    for f in range(FILTERS):
        for i in range(H):
            for j in range(W):
                acc = b[f]
                for c in range(IN_C):
                    for ki in range(K):
                        for kj in range(K):
                            y, xx = i - PAD + ki, j - PAD + kj
                            if 0 <= y < H and 0 <= xx < W:
                                acc += x[c][y][xx] * w[((f * IN_C + c) * K + ki) * K + kj]
                conv[f][i][j] = max(acc, 0.0)
    out = []
    for f in range(FILTERS):
        for i in range(H // 2):
            for j in range(W // 2):
                out.append(max(conv[f][2 * i + a][2 * j + c] for a in range(2) for c in range(2)))
    return out


def linear(x, w, b, n_out, relu):
    out = []
    for o in range(n_out):
        acc = b[o] + sum(w[o * len(x) + i] * x[i] for i in range(len(x)))
        out.append(max(acc, 0.0) if relu else acc)
    return out


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else '.'
    rng = random.Random(20240601)
    draw = lambda n, scale: [f32(rng.uniform(-scale, scale)) for _ in range(n)]
    params = {
        'conv1.weight': ([FILTERS, IN_C, K, K], draw(FILTERS * IN_C * K * K, 0.6)),
        'conv1.bias': ([FILTERS], draw(FILTERS, 0.2)),
        'fc1.weight': ([HIDDEN, POOLED], draw(HIDDEN * POOLED, 0.4)),
        'fc1.bias': ([HIDDEN], draw(HIDDEN, 0.2)),
        'fc2.weight': ([OUT, HIDDEN], draw(OUT * HIDDEN, 0.8)),
        'fc2.bias': ([OUT], draw(OUT, 0.2)),
    }
    xs = draw(BATCH * IN_C * H * W, 1.0)
    logits = []
    for n in range(BATCH):
        flat = xs[n * IN_C * H * W:(n + 1) * IN_C * H * W]
        x = [[[flat[(c * H + i) * W + j] for j in range(W)] for i in range(H)] for c in range(IN_C)]
        h = conv_relu_pool(x, params['conv1.weight'][1], params['conv1.bias'][1])
        h = linear(h, params['fc1.weight'][1], params['fc1.bias'][1], HIDDEN, True)
        logits += linear(h, params['fc2.weight'][1], params['fc2.bias'][1], OUT, False)

    files = {
        'simple-convnet-tiny.safetensors': serialize({k: ('F32', s, v) for k, (s, v) in params.items()}, {'format': 'pt'}),
        'simple-convnet-tiny-f64.safetensors': serialize({k: ('F64', s, v) for k, (s, v) in params.items()}, {'format': 'pt'}),
        'simple-convnet-tiny-io.safetensors': serialize(
            {'x': ('F32', [BATCH, IN_C, H, W], xs), 'logits': ('F64', [BATCH, OUT], logits)},
            {'config': json.dumps({'inputDim': [IN_C, H, W], 'conv': {'filterNum': FILTERS, 'filterSize': K, 'pad': PAD, 'stride': 1},
                                   'hiddenSize': HIDDEN, 'outputSize': OUT})},
        ),
    }
    for name, data in files.items():
        with open(os.path.join(folder, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
