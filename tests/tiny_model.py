"""A tiny random causal LM (Llama by default; Qwen2, Mistral, Gemma, Phi, Phi3 on request) with a
real byte-level BPE tokenizer and a ChatML chat template, built offline in about a second. Unit tests
of train and evalkit use it instead of SmolLM2.
"""
from __future__ import annotations

from pathlib import Path

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

CORPUS = [
    "How do I reset my UPI PIN? Open the app, go to settings and choose Reset PIN.",
    "My card was charged twice for the same order, please refund the extra amount.",
    "मेरा खाता बंद हो गया है, कृपया मदद करें। आपका खाता दोबारा खोल दिया गया है।",
    "Mera recharge fail ho gaya lekin paisa kat gaya. Aapka refund 3 din mein aa jayega.",
    "What is the balance of my savings account? You can check it in the app.",
    "I want to block my debit card immediately. Your card has been blocked.",
    "The quick brown fox jumps over the lazy dog 0123456789 !?.,:;'\"()[]{}<>/\\-_+=*&^%$#@~`|",
]
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def build_tokenizer(vocab_size: int = 400):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|im_start|>",
                                   eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   unk_token="<|endoftext|>")
    fast.chat_template = CHATML_TEMPLATE
    return fast


# Each architecture at its smallest: what differs between them (fused projections in Phi3, dense/fc1
# in Phi, partial rotary, Gemma's scaled embeddings and head_dim, sliding windows) is kept.
ARCHITECTURES = {
    "llama": {},
    "qwen2": {},
    "mistral": {"sliding_window": 256},
    "gemma": {"head_dim": 16},
    "phi": {"partial_rotary_factor": 0.5},
    "phi3": {},
}


def build_tiny_model(out_dir: str | Path, seed: int = 0, arch: str = "llama",
                     chat_template: bool = True, layers: int = 2) -> Path:
    """Write a tiny random causal LM + tokenizer to `out_dir` (a normal HF folder)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    out_dir = Path(out_dir)
    tokenizer = build_tokenizer()
    if not chat_template:
        tokenizer.chat_template = None
    config = AutoConfig.for_model(
        arch, vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128,
        num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=512, tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id, **ARCHITECTURES[arch])
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir
