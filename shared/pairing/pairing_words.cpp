// The word list of pairing codes: 256 short, common English nouns (3 to 7 letters), distinct
// and sorted, so a code reads aloud easily. Changing the list changes which codes exist: both
// sides of a pairing must share it, so it is part of the protocol (docs/PROTOCOL.md).
#include <array>
#include <span>
#include <string_view>

#include "shared/pairing/pairing_code.hpp"

namespace xfer::pairing {

namespace {
constexpr std::array<std::string_view, 256> words{
    "acid",    "acorn",  "actor",   "adult",  "agent",   "alarm",   "album",   "alert",   "alley",
    "amber",   "angel",  "anger",   "ankle",  "apple",   "april",   "apron",   "arena",   "arrow",
    "atlas",   "attic",  "audio",   "autumn", "award",   "bacon",   "badge",   "bagel",   "baker",
    "balloon", "bamboo", "banana",  "banjo",  "barn",    "basil",   "basket",  "beach",   "beard",
    "beaver",  "bell",   "berry",   "bike",   "bird",    "blade",   "blanket", "bloom",   "board",
    "boat",    "bonus",  "book",    "boot",   "bottle",  "bowl",    "brain",   "branch",  "bread",
    "brick",   "bridge", "broom",   "brush",  "bucket",  "bundle",  "butter",  "button",  "cabin",
    "cable",   "cactus", "camel",   "camera", "candle",  "canoe",   "canvas",  "canyon",  "carbon",
    "carpet",  "carrot", "castle",  "cattle", "cedar",   "cello",   "chalk",   "cherry",  "chess",
    "cider",   "circle", "citrus",  "clay",   "cliff",   "clock",   "cloud",   "clover",  "coast",
    "cobra",   "cocoa",  "comet",   "copper", "coral",   "cotton",  "cougar",  "cowboy",  "crab",
    "crane",   "crater", "crayon",  "crown",  "cube",    "cup",     "daisy",   "dance",   "delta",
    "denim",   "desert", "diamond", "dinner", "dolphin", "donkey",  "door",    "dragon",  "drum",
    "duck",    "eagle",  "echo",    "elbow",  "ember",   "engine",  "falcon",  "feather", "fence",
    "fern",    "ferry",  "fiddle",  "field",  "finch",   "flag",    "flame",   "flute",   "forest",
    "fossil",  "fox",    "frog",    "galaxy", "garden",  "garlic",  "gecko",   "ginger",  "globe",
    "glove",   "goat",   "gold",    "grape",  "gravel",  "guitar",  "hammer",  "harbor",  "hat",
    "hazel",   "helmet", "heron",   "honey",  "horse",   "island",  "ivory",   "jacket",  "jaguar",
    "jelly",   "jungle", "kayak",   "kettle", "kitten",  "koala",   "ladder",  "lagoon",  "lake",
    "lamp",    "lemon",  "lily",    "lion",   "lizard",  "lotus",   "magnet",  "mango",   "maple",
    "marble",  "meadow", "melon",   "mint",   "mirror",  "monkey",  "moon",    "moose",   "muffin",
    "nectar",  "needle", "nest",    "noodle", "ocean",   "olive",   "onion",   "orange",  "orbit",
    "orchid",  "otter",  "owl",     "oyster", "paddle",  "panda",   "paper",   "parrot",  "peach",
    "peanut",  "pearl",  "pebble",  "pencil", "pepper",  "piano",   "pickle",  "pigeon",  "pillow",
    "pilot",   "planet", "plum",    "pony",   "potato",  "pumpkin", "puzzle",  "quartz",  "rabbit",
    "radio",   "rain",   "raven",   "ribbon", "river",   "robin",   "rocket",  "rose",    "ruby",
    "saddle",  "salmon", "sand",    "spoon",  "squid",   "star",    "stone",   "storm",   "summer",
    "sunset",  "tiger",  "tomato",  "tulip",  "turtle",  "violin",  "walnut",  "walrus",  "whale",
    "willow",  "window", "yogurt",  "zebra",
};
}  // namespace

std::span<const std::string_view> pairing_words() {
    return words;
}

}  // namespace xfer::pairing
