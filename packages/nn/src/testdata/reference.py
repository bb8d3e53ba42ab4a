import torch, json, math
import torch.nn as nn, torch.nn.functional as F
out = {}
def L(t): return [float(v) for v in t.detach().reshape(-1).tolist()]
torch.manual_seed(0); x = torch.ones(10); out['dropout'] = L(F.dropout(x, 0.5))
torch.manual_seed(1); x = torch.ones(2, 3, 2, 2); out['dropout2d'] = L(F.dropout2d(x, 0.5))
torch.manual_seed(3)
w = torch.empty(3, 5); nn.init.xavier_uniform_(w); out['xavier_uniform'] = L(w)
nn.init.xavier_normal_(w, gain=2.0); out['xavier_normal'] = L(w)
nn.init.kaiming_normal_(w, mode='fan_out', nonlinearity='relu'); out['kaiming_normal'] = L(w)
nn.init.trunc_normal_(w, std=0.5); out['trunc_normal'] = L(w)
nn.init.orthogonal_(w); out['orthogonal'] = L(w)
w2 = torch.empty(5, 3); nn.init.orthogonal_(w2, gain=2); out['orthogonal_tall'] = L(w2)
out['gain'] = [nn.init.calculate_gain('leaky_relu', 0.2), nn.init.calculate_gain('tanh'), nn.init.calculate_gain('selu')]
# seeded layers
for name, ctor in [('conv_t', lambda: nn.ConvTranspose2d(2, 3, 3)), ('conv1d', lambda: nn.Conv1d(2, 4, 3, groups=2)),
                   ('mha', lambda: nn.MultiheadAttention(4, 2)), ('gru2', lambda: nn.GRU(3, 4, num_layers=2, bidirectional=True)),
                   ('lstm_proj', lambda: nn.LSTM(3, 4, proj_size=2)), ('bilinear', lambda: nn.Bilinear(2, 3, 2)),
                   ('embpad', lambda: nn.Embedding(4, 2, padding_idx=1))]:
    torch.manual_seed(5); m = ctor()
    out['init_' + name] = {k: L(v) for k, v in m.state_dict().items()}
# GRU forward
torch.manual_seed(5); g = nn.GRU(3, 4, num_layers=2, bidirectional=True); x = torch.randn(5, 2, 3); h0 = torch.randn(4, 2, 4)
o, h = g(x, h0); out['gru2_out'] = L(o); out['gru2_h'] = L(h)
x.requires_grad_(True); o, h = g(x, h0); (o.sum() + h.pow(2).sum()).backward(); out['gru2_gx'] = L(x.grad)
torch.manual_seed(5); l = nn.LSTM(3, 4, proj_size=2); x = torch.randn(4, 3)  # unbatched
o, (h, c) = l(x); out['lstm_proj_out'] = L(o); out['lstm_proj_h'] = L(h); out['lstm_proj_c'] = L(c)
torch.manual_seed(5); r = nn.RNN(3, 4, num_layers=2, nonlinearity='relu', dropout=0.5); x = torch.randn(3, 2, 3)
o, h = r(x); out['rnn_drop_out'] = L(o)
# MHA with masks
torch.manual_seed(5); m = nn.MultiheadAttention(4, 2); q = torch.randn(3, 2, 4); kv = torch.randn(5, 2, 4)
kpm = torch.tensor([[False, False, True, False, True], [False, False, False, False, False]])
am = torch.zeros(3, 5); am[0, 1] = float('-inf')
o, w = m(q, kv, kv, key_padding_mask=kpm, attn_mask=am); out['mha_mask_out'] = L(o); out['mha_mask_w'] = L(w)
o, w = m(q, kv, kv, key_padding_mask=kpm, need_weights=False); out['mha_noweights_out'] = L(o)
# transformer encoder
torch.manual_seed(5); layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, norm_first=True, activation='gelu')
enc = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(4)); x = torch.randn(3, 2, 4)
out['enc_out'] = L(enc(x)); out['enc_keys'] = list(enc.state_dict().keys())
out['enc_mask_out'] = L(enc(x, src_key_padding_mask=torch.tensor([[False, True, False], [False, False, False]])))
# sdpa (2.x api is not in 1.13): compute via formula
# clip grad norm
a = torch.nn.Parameter(torch.tensor([3.0, 4.0])); b = torch.nn.Parameter(torch.tensor([[1.0, 2.0]]))
a.grad = torch.tensor([3.0, 4.0]); b.grad = torch.tensor([[12.0, 0.0]])
tn = torch.nn.utils.clip_grad_norm_([a, b], 1.0); out['clip'] = [float(tn)] + L(a.grad) + L(b.grad)
a.grad = torch.tensor([3.0, -4.0]); b.grad = torch.tensor([[1.0, 0.5]])
tn = torch.nn.utils.clip_grad_norm_([a, b], 2.0, norm_type=float('inf')); out['clip_inf'] = [float(tn)] + L(a.grad) + L(b.grad)
# prints
out['repr'] = {
 'conv': repr(nn.Conv2d(2, 3, (3, 2), stride=2, padding=1, bias=False)),
 'convs': repr(nn.Conv2d(2, 3, 3, padding='same', padding_mode='reflect')),
 'convt': repr(nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=1)),
 'bn': repr(nn.BatchNorm2d(3)), 'ln': repr(nn.LayerNorm(4)), 'gn': repr(nn.GroupNorm(2, 4)),
 'emb': repr(nn.Embedding(7, 3, padding_idx=0)), 'drop': repr(nn.Dropout(0.2)), 'lrelu': repr(nn.LeakyReLU(0.2)),
 'mp': repr(nn.MaxPool2d(2)), 'ap': repr(nn.AvgPool2d(3, stride=2, padding=1)), 'aap': repr(nn.AdaptiveAvgPool2d((3, 2))),
 'lstm': repr(nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)), 'gelu': repr(nn.GELU()), 'sm': repr(nn.Softmax(dim=1)),
 'flat': repr(nn.Flatten()), 'up': repr(nn.Upsample(scale_factor=2)), 'mha': repr(nn.MultiheadAttention(4, 2)),
 'seq': repr(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))), 'elu': repr(nn.ELU()), 'ht': repr(nn.Hardtanh()),
 'bn_none': repr(nn.BatchNorm1d(3, momentum=None, eps=1e-3)), 'tel': repr(nn.TransformerEncoderLayer(4, 2, dim_feedforward=6)),
}
# batchnorm momentum None twice
bn = nn.BatchNorm1d(2, momentum=None); bn(torch.tensor([[1.0, 2.0], [3.0, 5.0]])); bn(torch.tensor([[0.0, 1.0], [2.0, 2.0], [4.0, 0.0]]))
out['bn_cma'] = L(bn.running_mean) + L(bn.running_var) + [int(bn.num_batches_tracked)]
# cells
torch.manual_seed(9); lc = nn.LSTMCell(3, 4); gc = nn.GRUCell(3, 4); rc = nn.RNNCell(3, 4, nonlinearity='relu'); x = torch.randn(2, 3)
h, c = lc(x); out['cell_lstm'] = L(h) + L(c); out['cell_gru'] = L(gc(x, h)); out['cell_rnn'] = L(rc(x[0]))
print(json.dumps(out))
