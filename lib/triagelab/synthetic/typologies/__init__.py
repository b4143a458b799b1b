"""Typology catalogue: suspicious stories and the benign look-alikes that share their flags."""

from __future__ import annotations

from triagelab.synthetic.typologies.base import Story, StoryContext, Typology
from triagelab.synthetic.typologies.benign import BENIGN_TYPOLOGIES
from triagelab.synthetic.typologies.laundering import LAUNDERING_TYPOLOGIES
from triagelab.synthetic.typologies.takeover import TAKEOVER_TYPOLOGIES

TYPOLOGIES: dict[str, Typology] = {
    typology.name: typology
    for typology in (*TAKEOVER_TYPOLOGIES, *LAUNDERING_TYPOLOGIES, *BENIGN_TYPOLOGIES)
}

__all__ = ["TYPOLOGIES", "Story", "StoryContext", "Typology"]
