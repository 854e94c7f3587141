"""The colours of gradlab, by name: the Okabe–Ito palette plus a few greys and message colours.

Every colour a gradlab figure or message uses comes from here, so a colour means the same in
every lesson. The eight Okabe–Ito colours (Okabe & Ito 2008) stay distinct for the common forms
of colour-vision deficiency; :data:`OKABE_ITO` lists them in their published order.

This module sits at the bottom of the package and imports nothing.

Examples
--------
>>> VERMILLION, BLUE
('#D55E00', '#0072B2')
>>> OKABE_ITO.index(BLUE)
5
"""

__all__ = [
    "ANOMALY_RED",
    "BLACK",
    "BLUE",
    "BLUISH_GREEN",
    "CORRECT_GREEN",
    "DARK_GREY",
    "ERROR_RED",
    "GREY",
    "LIGHT_GREY",
    "MESSAGE_COLORS",
    "MID_GREY",
    "OKABE_ITO",
    "ORANGE",
    "PROGRESS_GREY",
    "REDDISH_PURPLE",
    "SKY_BLUE",
    "VERMILLION",
    "WARNING_BROWN",
    "YELLOW",
]

# The Okabe–Ito palette.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

#: The Okabe–Ito palette in its published order.
OKABE_ITO = (BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE)

# Greys, lightest first.
LIGHT_GREY = "#BBBBBB"  # "no minimum reached" cells, masked (diverging) settings
GREY = "#999999"
MID_GREY = "#777777"
DARK_GREY = "#333333"  # plain text: info messages, neutral marks

# Messages and feedback.
WARNING_BROWN = "#b35900"
ERROR_RED = "#b00020"
ANOMALY_RED = "#c0392b"  # planted anomalies in the application explorers
CORRECT_GREEN = "#1b7a1b"
PROGRESS_GREY = "#555555"  # "training ..." notes beside a trainer's controls (say_training)

#: Colour of a message by its kind, shared by the figure text and the label beside the controls.
MESSAGE_COLORS = {"info": DARK_GREY, "warning": WARNING_BROWN, "error": ERROR_RED}
