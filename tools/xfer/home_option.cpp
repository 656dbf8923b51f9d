#include "tools/xfer/home_option.hpp"

#include <stdexcept>
#include <string>

namespace xfer::cli {

xfer_home home_from(const boost::program_options::variables_map& values) {
    std::optional<std::filesystem::path> override_dir;
    if (values.count("home")) override_dir = values["home"].as<std::string>();
    auto home = resolve_xfer_home(override_dir);
    if (!home) throw std::runtime_error(home.error());
    return *home;
}

}  // namespace xfer::cli
