"""Restoring a trained object's parts (networks, optimizers, ...) from its ``state_dict``, with errors
that name the part: what ``GAN.load_state_dict`` and ``CycleGAN.load_state_dict`` share."""
from __future__ import annotations


def load_parts(who: str, state: dict, owners: dict, parts) -> None:
    """Check that ``state`` has every one of ``parts`` (KeyError naming the missing ones: "not a
    ``who``'s state_dict"), then load ``state[part]`` into ``owners[part]`` for each part that has an
    owner, in the order of ``parts`` (the others, e.g. counters and history, the caller restores).
    A part that does not fit raises its error again with ``who`` and the part's name in front."""
    missing = [part for part in parts if part not in state]
    if missing:
        raise KeyError(f"{who}.load_state_dict: the state has no {', '.join(missing)}: not a {who}'s state_dict "
                       f"(it has {', '.join(map(str, state)) or 'nothing'})")
    for part in parts:
        if part not in owners:
            continue
        try:
            owners[part].load_state_dict(state[part])
        except (KeyError, ValueError, TypeError) as exc:
            message = exc.args[0] if exc.args else repr(exc)
            raise type(exc)(f"{who}.load_state_dict: {part} does not match this {who}'s: {message}") from exc
