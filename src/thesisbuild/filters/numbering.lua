-- Numbers in the template's styles, shared by the filters: format(3, "upper-roman") is "III".
-- A filter loads it with: package.path = PANDOC_SCRIPT_FILE:match("^(.*[/\\])") .. "?.lua;" .. package.path

local M = {}

function M.roman(n)
  local numerals = {{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"},
                    {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}
  local out = ""
  for _, pair in ipairs(numerals) do
    while n >= pair[1] do out = out .. pair[2]; n = n - pair[1] end
  end
  return out
end

function M.format(n, style)
  if style == "upper-roman" then return M.roman(n) end
  if style == "lower-roman" then return M.roman(n):lower() end
  if style == "upper-alpha" then return string.char(64 + n) end
  if style == "lower-alpha" then return string.char(96 + n) end
  return tostring(n)
end

return M
